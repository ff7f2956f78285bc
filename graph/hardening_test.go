package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store/storetest"
)

// bomb is n fragments each spreading the one before twice: 2^n fields
// once expanded.
func bomb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...F%d }\nfragment F0 on Query { __typename }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// timed runs the operation as nobody and returns the answer and how long
// it took.
func timed(t *testing.T, c *client, q string) (response, time.Duration) {
	t.Helper()
	start := time.Now()
	res := c.do(t, q, nil)
	return res, time.Since(start)
}

// TestDocumentAttacks sends, without a token, the documents that cost work
// growing faster than their size before the limits: each is refused, and
// refusing a document many times larger takes no more than a bounded
// multiple (the ceilings are generous: the machine is shared).
func TestDocumentAttacks(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	c := newClient(t, db).as("")
	t.Run("FragmentExplosion", func(t *testing.T) {
		for _, n := range []int{24, 30, 60} {
			res, took := timed(t, c, bomb(n))
			wantError(t, res, "QUERY_TOO_COMPLEX", "fields")
			if took > 2*time.Second {
				t.Errorf("%d fragments took %v to refuse, want well under 2s", n, took)
			}
		}
	})
	t.Run("DuplicateFields", func(t *testing.T) {
		small, tookSmall := timed(t, c, "{"+strings.Repeat(" __typename", 1001)+" }")
		wantError(t, small, "QUERY_TOO_COMPLEX", "fields")
		large, tookLarge := timed(t, c, "{"+strings.Repeat(" __typename", 4000)+" }")
		wantError(t, large, "QUERY_TOO_COMPLEX", "fields")
		if tookLarge > 2*time.Second {
			t.Errorf("4,000 duplicates took %v, want well under 2s", tookLarge)
		}
		t.Logf("1,001 duplicates: %v, 4,000: %v", tookSmall, tookLarge)
	})
	t.Run("TokenLimit", func(t *testing.T) {
		// 90,000 duplicates in 990 KB: refused by the parser at 15,000 tokens.
		res, took := timed(t, c, "{"+strings.Repeat(" __typename", 90000)+" }")
		wantError(t, res, "GRAPHQL_PARSE_FAILED", "token limit")
		if took > 2*time.Second {
			t.Errorf("990 KB of duplicates took %v, want well under 2s", took)
		}
	})
	t.Run("ErrorAmplification", func(t *testing.T) {
		// Unknown fields up to the field limit, then 60 KB of unknown
		// directives.
		for name, q := range map[string]string{
			"fields":     "{" + strings.Repeat(" nope", graph.DefaultLimits().MaxFields) + " }",
			"directives": "{ __typename" + strings.Repeat(" @nope", 7000) + " }",
		} {
			res := c.do(t, q, nil)
			if got, want := len(res.Errors), graph.DefaultLimits().MaxErrors+1; got != want {
				t.Errorf("%s: %d errors, want %d (the cap and one that says so)", name, got, want)
				continue
			}
			last := res.Errors[len(res.Errors)-1]
			if last.Extensions["code"] != "TOO_MANY_ERRORS" || !strings.Contains(last.Message, "dropped") {
				t.Errorf("%s: last error %+v, want TOO_MANY_ERRORS", name, last)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		// What a client does ask is still answered: a fragment spread many
		// times, and GraphiQL's introspection.
		var out map[string]any
		c.mustData(t, `{ a: __typename ...F ...F ...F } fragment F on Query { __typename }`, nil, &out)
		c.mustData(t, introspectionQuery, nil, &out)
	})
}

// TestIntrospectionSetting turns introspection and suggestions off together.
func TestIntrospectionSetting(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	t.Run("On", func(t *testing.T) {
		c := newClient(t, db).as("")
		res := c.do(t, `{ curencies { totalCount } }`, nil)
		wantError(t, res, "GRAPHQL_VALIDATION_FAILED", "Did you mean")
	})
	t.Run("Off", func(t *testing.T) {
		limits := graph.DefaultLimits()
		limits.Introspection = false
		c := newClientWithLimits(t, db, limits).as("")
		wantError(t, c.do(t, `{ __schema { types { name } } }`, nil), "GRAPHQL_VALIDATION_FAILED", "introspection")
		res := c.do(t, `{ curencies { totalCount } }`, nil)
		wantError(t, res, "GRAPHQL_VALIDATION_FAILED", "Cannot query field")
		if strings.Contains(res.Errors[0].Message, "Did you mean") {
			t.Errorf("message %q suggests a field with introspection off", res.Errors[0].Message)
		}
		var out map[string]any
		c.mustData(t, `{ __typename }`, nil, &out)
	})
}

// TestSubscriptionOverHTTP: a subscription over HTTP is refused at once
// instead of holding the request until the first change.
func TestSubscriptionOverHTTP(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	c := newClient(t, db)
	res, took := timed(t, c, `subscription { rateChanged(base: "USD") { kind } }`)
	wantError(t, res, "GRAPHQL_VALIDATION_FAILED", "websocket")
	if took > 2*time.Second {
		t.Errorf("refused after %v, want at once", took)
	}
}

// TestEveryListPriced: every connection costs its page size, so ten
// aliases of a thousand users exceed the complexity limit as ten of rates
// do.
func TestEveryListPriced(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	c := newClient(t, db)
	for _, field := range []string{"users", "adminUsers", "organizations", "resources"} {
		var b strings.Builder
		b.WriteString("{")
		for i := range 10 {
			fmt.Fprintf(&b, " a%d: %s(first: 1000) { totalCount edges { node { id } } }", i, field)
		}
		b.WriteString(" }")
		wantError(t, c.do(t, b.String(), nil), "COMPLEXITY_LIMIT_EXCEEDED", "")
		var out map[string]any
		c.mustData(t, "{ "+field+"(first: 10) { totalCount edges { node { id } } } }", nil, &out)
	}
}

// TestPageSizes: the page sizes are settings; complexity prices a page by
// them too.
func TestPageSizes(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	seedManyRates(t, db, 12)
	c := newServerWith(t, db, graph.DefaultLimits(), bcrypt.MinCost, func(r *graph.Resolver) { r.Pages = graph.PageSizes{Default: 2, Max: 5} })
	c = c.as(c.newUser(t, model.CategoryAdmin).token)
	var out struct {
		ExchangeRates struct{ Edges []json.RawMessage }
	}
	c.mustData(t, `{ exchangeRates { edges { cursor } } }`, nil, &out)
	if len(out.ExchangeRates.Edges) != 2 {
		t.Errorf("a page without first: %d rates, want the default of 2", len(out.ExchangeRates.Edges))
	}
	wantError(t, c.do(t, `{ exchangeRates(first: 6) { edges { cursor } } }`, nil), graph.CodeBadUserInput, "between 1 and 5")
	c.mustData(t, `{ exchangeRates(first: 5) { edges { cursor } } }`, nil, &out)
	if len(out.ExchangeRates.Edges) != 5 {
		t.Errorf("first: 5 gave %d rates", len(out.ExchangeRates.Edges))
	}
}
