package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// fragmentBomb is a document of n fragments, each spreading the one before
// it twice: 2^n fields once expanded, in a few bytes per fragment.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("query { ...F" + fmt.Sprint(n) + " }\nfragment F0 on Query { __typename }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func mustParse(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestMeasureDocumentLinear(t *testing.T) {
	t.Run("FragmentBomb", func(t *testing.T) {
		// Work grows with the document, not with its 2^n expansion.
		small := measureDocument(mustParse(t, fragmentBomb(10)), DefaultLimits())
		large := measureDocument(mustParse(t, fragmentBomb(40)), DefaultLimits())
		if small.fields <= DefaultLimits().MaxFields || large.fields <= DefaultLimits().MaxFields {
			t.Errorf("fields = %d and %d, want both past the limit of %d", small.fields, large.fields, DefaultLimits().MaxFields)
		}
		if got, want := large.visited, 2*40+2; got != want {
			t.Errorf("visited %d selections for 40 fragments, want %d (each once)", got, want)
		}
		if ratio := float64(large.visited) / float64(small.visited); ratio > 4.5 {
			t.Errorf("visited %d then %d selections for a document 4x longer: ratio %.1f, want linear", small.visited, large.visited, ratio)
		}
	})
	t.Run("Counts", func(t *testing.T) {
		q := `query { a: currencies { edges { node { code } } } ...F } fragment F on Query { b: currencies { totalCount } }`
		got := measureDocument(mustParse(t, q), DefaultLimits())
		if got.depth != 4 || got.aliases != 2 || got.fields != 6 {
			t.Errorf("depth, aliases, fields = %d, %d, %d, want 4, 2, 6", got.depth, got.aliases, got.fields)
		}
	})
	t.Run("CycleEnds", func(t *testing.T) {
		got := measureDocument(mustParse(t, `{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }`), DefaultLimits())
		if got.fields != 1 {
			t.Errorf("fields = %d, want 1 (the cycle is validation's to refuse)", got.fields)
		}
	})
}

func TestWithoutSuggestions(t *testing.T) {
	got := withoutSuggestions(`Cannot query field "curencies" on type "Query". Did you mean "currencies" or "currency"?`)
	if want := `Cannot query field "curencies" on type "Query".`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
