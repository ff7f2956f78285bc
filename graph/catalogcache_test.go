package graph_test

import (
	"context"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

// countingCurrencies counts the catalog's currency lists.
type countingCurrencies struct {
	model.CurrencyService
	lists atomic.Int64
}

func (c *countingCurrencies) FindCurrencies(ctx context.Context, page model.CodePage) ([]*model.Currency, int, error) {
	c.lists.Add(1)
	return c.CurrencyService.FindCurrencies(ctx, page)
}

// TestCatalogCache: identical catalog queries of one catalog version share
// one execution, whoever asks among those the catalog rule admits; a write
// starts a new version; nothing else is shared.
func TestCatalogCache(t *testing.T) {
	eachGraph(t, func(t *testing.T, _ *client, db *store.DB) {
		counter := &countingCurrencies{}
		c := newServerWith(t, db, graph.DefaultLimits(), bcrypt.MinCost, func(r *graph.Resolver) {
			counter.CurrencyService = r.CurrencyService
			r.CurrencyService = counter
		})
		admin := c.as(c.newUser(t, model.CategoryAdmin).token)
		client := c.as(c.newUser(t, model.CategoryAPIClient).token)
		const list = `query($first: Int) { currencies(first: $first) { totalCount edges { node { code name } } } }`
		var first, second map[string]any
		t.Run("OK", func(t *testing.T) {
			admin.mustData(t, list, map[string]any{"first": 5}, &first)
			client.mustData(t, list, map[string]any{"first": 5}, &second)
			admin.mustData(t, list, map[string]any{"first": 5}, &second)
			if got := counter.lists.Load(); got != 1 {
				t.Errorf("three identical queries listed currencies %d times, want once", got)
			}
			admin.mustData(t, list, map[string]any{"first": 6}, &second)
			if got := counter.lists.Load(); got != 2 {
				t.Errorf("other variables: %d lists, want a second one", got)
			}
		})
		t.Run("WriteStartsANewVersion", func(t *testing.T) {
			var out map[string]any
			admin.mustData(t, createCurrency, map[string]any{"code": "ZZZ", "name": "Zed", "sign": "z"}, &out)
			var after struct{ Currencies struct{ TotalCount int } }
			client.mustData(t, list, map[string]any{"first": 5}, &after)
			if after.Currencies.TotalCount != 1 || counter.lists.Load() != 3 {
				t.Errorf("after a write: totalCount %d, %d lists; want the new currency, listed anew", after.Currencies.TotalCount, counter.lists.Load())
			}
		})
		t.Run("NotShared", func(t *testing.T) {
			before := counter.lists.Load()
			wantError(t, c.as("").do(t, list, map[string]any{"first": 5}), graph.CodeUnauthenticated, "")
			wantError(t, c.as("not-a-token").do(t, list, map[string]any{"first": 5}), graph.CodeUnauthenticated, "")
			var mixed struct {
				Me         struct{ ID string }
				Currencies struct{ TotalCount int }
			}
			client.mustData(t, `query($first: Int) { me { id } currencies(first: $first) { totalCount } }`, map[string]any{"first": 5}, &mixed)
			admin.mustData(t, `query($first: Int) { me { id } currencies(first: $first) { totalCount } }`, map[string]any{"first": 5}, &mixed)
			if got := counter.lists.Load() - before; got != 2 {
				t.Errorf("a query that reads more than the catalog was shared: %d lists for two callers, want 2", got)
			}
		})
	})
}
