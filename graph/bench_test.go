package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"golang.org/x/crypto/bcrypt"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

// The operations the benchmarks (and scripts/load) measure.
const (
	benchCrossQuery  = `{ convert(from: "GBP", to: "JPY", amount: "100") { rate convertedAmount path via { code } } }`
	benchDirectQuery = `{ convert(from: "USD", to: "EUR", amount: "100") { rate convertedAmount path via { code } } }`
	benchRatesQuery  = `query($first: Int) { exchangeRates(first: $first) { totalCount edges { node { id rate base { code name } target { code name } } } } }`
)

// stmtCounter is a bun.QueryHook that counts the SQL statements run.
type stmtCounter struct{ n atomic.Int64 }

func (s *stmtCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (s *stmtCounter) AfterQuery(context.Context, *bun.QueryEvent) { s.n.Add(1) }

// benchBackends runs fn as the sub-benchmarks "sqlite" and "postgres", each
// on a fresh, migrated, empty store whose statements stmts counts. Setup
// done in fn before b.Loop is not timed, and runs once per sub-benchmark.
func benchBackends(b *testing.B, fn func(b *testing.B, db *store.DB, stmts *stmtCounter)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) {
			stmts := &stmtCounter{}
			fn(b, storetest.Open(b, backend, time.Now).WithQueryHook(stmts), stmts)
		})
	}
}

// benchQuery posts query once, checks the answer with check, then times it
// in a b.Loop; every timed answer must be free of errors too. It reports the
// SQL statements per operation as stmts/op.
func benchQuery(b *testing.B, c *client, stmts *stmtCounter, query string, check func(data json.RawMessage) error) {
	b.Helper()
	benchMutation(b, c, stmts, query, nil, check)
}

// benchWantPath checks that a convert answer took the path (and via, "" for none).
func benchWantPath(path, via string) func(json.RawMessage) error {
	return func(data json.RawMessage) error {
		var d struct {
			Convert struct {
				Path string
				Via  *struct{ Code string }
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return err
		}
		gotVia := ""
		if d.Convert.Via != nil {
			gotVia = d.Convert.Via.Code
		}
		if d.Convert.Path != path || gotVia != via {
			return fmt.Errorf("path %s via %q, want %s via %q", d.Convert.Path, gotVia, path, via)
		}
		return nil
	}
}

func BenchmarkConvert(b *testing.B) {
	benchBackends(b, func(b *testing.B, db *store.DB, stmts *stmtCounter) {
		c := newClient(b, db)
		for _, cur := range [][3]string{
			{"USD", "United States Dollar", "$"},
			{"EUR", "Euro", "€"},
			{"GBP", "Pound Sterling", "£"},
			{"JPY", "Japanese Yen", "¥"},
			{"CHF", "Swiss Franc", "CHF"},
		} {
			var out any
			c.mustData(b, `mutation($code: String!, $name: String!, $sign: String!) {
				createCurrency(input: {code: $code, name: $name, sign: $sign}) { id } }`,
				map[string]any{"code": cur[0], "name": cur[1], "sign": cur[2]}, &out)
		}
		for _, r := range [][3]string{
			{"USD", "EUR", "0.8650"},
			{"USD", "GBP", "0.7610"},
			{"USD", "JPY", "156.40"},
			{"USD", "CHF", "0.8040"},
			{"EUR", "GBP", "0.8800"},
		} {
			var out any
			c.mustData(b, `mutation($base: String!, $target: String!, $rate: Decimal!) {
				createExchangeRate(input: {baseCode: $base, targetCode: $target, rate: $rate}) { id } }`,
				map[string]any{"base": r[0], "target": r[1], "rate": r[2]}, &out)
		}
		b.Run("cross", func(b *testing.B) { benchQuery(b, c, stmts, benchCrossQuery, benchWantPath("CROSS", "USD")) })
		b.Run("direct", func(b *testing.B) { benchQuery(b, c, stmts, benchDirectQuery, benchWantPath("DIRECT", "")) })
		executed := newServerWith(b, db, graph.DefaultLimits(), bcrypt.MinCost, func(r *graph.Resolver) { r.CatalogVersion = nil })
		executed = executed.as(executed.newUser(b, model.CategoryAdmin).token)
		b.Run("cross/executed", func(b *testing.B) { benchQuery(b, executed, stmts, benchCrossQuery, benchWantPath("CROSS", "USD")) })
		b.Run("direct/executed", func(b *testing.B) { benchQuery(b, executed, stmts, benchDirectQuery, benchWantPath("DIRECT", "")) })
	})
}

// BenchmarkExchangeRates lists 100 and 1,000 of 1,000 rates with both
// currencies.
func BenchmarkExchangeRates(b *testing.B) {
	benchBackends(b, func(b *testing.B, db *store.DB, stmts *stmtCounter) {
		ctx := context.Background()
		// 46 currencies give 46·45/2 = 1,035 unordered pairs; store the
		// first 1,000 of them, each in one direction.
		codes := make([]string, 46)
		for i := range codes {
			codes[i] = fmt.Sprintf("Q%c%c", 'A'+i/26, 'A'+i%26)
			cur := &model.Currency{Code: codes[i], Name: "Bench currency " + codes[i], Sign: "¤"}
			if err := db.CreateCurrency(ctx, cur); err != nil {
				b.Fatalf("create currency %s: %v", codes[i], err)
			}
		}
		n := 0
	pairs:
		for i := range codes {
			for j := i + 1; j < len(codes); j++ {
				if n == 1000 {
					break pairs
				}
				rate := decimal.New(int64(10000+n*37), -4)
				if _, err := db.CreateExchangeRate(ctx, model.Pair{Base: codes[i], Target: codes[j]}, rate); err != nil {
					b.Fatalf("create rate %s%s: %v", codes[i], codes[j], err)
				}
				n++
			}
		}
		shared := newClient(b, db)
		// executed: without the catalog cache, every request runs gqlgen's
		// execution (what the first request of a catalog version pays).
		executed := newServerWith(b, db, graph.DefaultLimits(), bcrypt.MinCost, func(r *graph.Resolver) { r.CatalogVersion = nil })
		executed = executed.as(executed.newUser(b, model.CategoryAdmin).token)
		for _, run := range []struct {
			name  string
			first int
			c     *client
		}{{"100", 100, shared}, {"1000", 1000, shared}, {"100/executed", 100, executed}, {"1000/executed", 1000, executed}} {
			first, c := run.first, run.c
			b.Run(run.name, func(b *testing.B) {
				benchMutation(b, c, stmts, benchRatesQuery, map[string]any{"first": first}, func(data json.RawMessage) error {
					var d struct {
						ExchangeRates struct {
							TotalCount int
							Edges      []json.RawMessage
						}
					}
					if err := json.Unmarshal(data, &d); err != nil {
						return err
					}
					if d.ExchangeRates.TotalCount != 1000 || len(d.ExchangeRates.Edges) != first {
						return fmt.Errorf("totalCount %d, %d edges, want 1000 and %d",
							d.ExchangeRates.TotalCount, len(d.ExchangeRates.Edges), first)
					}
					return nil
				})
			})
		}
	})
}
