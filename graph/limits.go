package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bounds what one operation may ask for.
type Limits struct {
	MaxDepth      int // nesting of selection sets; GraphiQL's introspection needs 13
	MaxAliases    int // fields renamed by an alias, in the whole operation
	MaxComplexity int // gqlgen complexity: connections count `first` times their nodes
}

// DefaultLimits admit listing 1,000 rates with both currencies and GraphiQL's
// introspection, and refuse the usual amplification attacks.
func DefaultLimits() Limits {
	return Limits{MaxDepth: 15, MaxAliases: 30, MaxComplexity: 25000}
}

// shapeLimit refuses operations nested deeper than MaxDepth or with more
// aliases than MaxAliases, before any resolver runs.
type shapeLimit struct{ Limits }

var (
	_ graphql.HandlerExtension        = shapeLimit{}
	_ graphql.OperationContextMutator = shapeLimit{}
)

// ExtensionName implements graphql.HandlerExtension.
func (shapeLimit) ExtensionName() string { return "ShapeLimit" }

// Validate implements graphql.HandlerExtension.
func (shapeLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l shapeLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := shapeWalker{fragments: oc.Doc.Fragments, seen: map[string]bool{}}
	depth := w.depth(oc.Operation.SelectionSet, 1, l.MaxDepth)
	if depth > l.MaxDepth {
		return limitError("the operation is nested %d levels deep, more than the limit of %d", depth, l.MaxDepth)
	}
	if w.aliases > l.MaxAliases {
		return limitError("the operation uses %d aliases, more than the limit of %d", w.aliases, l.MaxAliases)
	}
	return nil
}

type shapeWalker struct {
	fragments ast.FragmentDefinitionList
	seen      map[string]bool // fragment spreads on the current path, against cycles
	aliases   int
}

// depth returns the depth of the deepest field of set, whose fields are at
// level (the root fields are at 1), stopping early past limit.
func (w *shapeWalker) depth(set ast.SelectionSet, level, limit int) int {
	deepest := level
	if level > limit {
		return level
	}
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			d = level
			if len(s.SelectionSet) > 0 {
				d = w.depth(s.SelectionSet, level+1, limit)
			}
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet, level, limit)
		case *ast.FragmentSpread:
			f := w.fragments.ForName(s.Name)
			if f == nil || w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			d = w.depth(f.SelectionSet, level, limit)
			delete(w.seen, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func limitError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": "QUERY_TOO_COMPLEX"}
	return err
}
