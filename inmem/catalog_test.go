package inmem_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/inmem"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var logger = slog.New(slog.NewTextHandler(io.Discard, nil))

// seed stores n currencies and a rate of each to the next.
func seed(t testing.TB, db *store.DB, n int) []string {
	t.Helper()
	ctx := context.Background()
	codes := make([]string, n)
	for i := range codes {
		codes[i] = fmt.Sprintf("Q%c%c", 'A'+i/26, 'A'+i%26)
		if err := db.CreateCurrency(ctx, &model.Currency{Code: codes[i], Name: "Currency " + codes[i], Sign: "¤"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < n; i++ {
		if _, err := db.CreateExchangeRate(ctx, model.Pair{Base: codes[i-1], Target: codes[i]}, decimal.New(int64(100+i), -2)); err != nil {
			t.Fatal(err)
		}
	}
	return codes
}

// follow runs c.Follow until the test ends.
func follow(t *testing.T, c *inmem.Catalog) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Follow(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func rateIDs(list []*model.ExchangeRate) []int64 {
	out := make([]int64, len(list))
	for i, r := range list {
		out[i] = r.ID
	}
	return out
}

// TestCatalogAnswersAsTheStore: every read of the catalog answers what the
// store answers.
func TestCatalogAnswersAsTheStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		codes := seed(t, db, 12)
		c := inmem.New(db, logger)
		if c.Loaded() {
			t.Fatal("Loaded before Load")
		}
		if err := c.Load(ctx); err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			for _, f := range []model.RateFilter{{}, {BaseCode: codes[3]}, {TargetCode: codes[3]}, {BaseCode: codes[3], TargetCode: codes[4]}, {BaseCode: "ZZZ"}} {
				for _, page := range []model.Page{{Limit: 0}, {Limit: 3}, {After: 4, Limit: 5}, {After: 1 << 40, Limit: 5},
					{Last: true, Limit: 3}, {Last: true, Before: 9, Limit: 4}, {Last: true, Before: 2, Limit: 4}, {Last: true, Before: 1 << 40, Limit: 2}} {
					got, gotTotal, err := c.FindExchangeRates(ctx, f, page)
					if err != nil {
						t.Fatal(err)
					}
					want, wantTotal, err := db.FindExchangeRates(ctx, f, page)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(rateIDs(got), rateIDs(want)) || gotTotal != wantTotal {
						t.Errorf("FindExchangeRates(%+v, %+v) = %v (%d), want %v (%d)", f, page, rateIDs(got), gotTotal, rateIDs(want), wantTotal)
					}
				}
			}
			for _, page := range []model.CodePage{{Limit: 4}, {After: codes[5], Limit: 4}, {After: "ZZZ", Limit: 4},
				{Last: true, Limit: 4}, {Last: true, Before: codes[5], Limit: 4}, {Last: true, Before: codes[1], Limit: 4}, {Last: true, Before: "AAA", Limit: 4}} {
				got, gotTotal, _ := c.FindCurrencies(ctx, page)
				want, wantTotal, _ := db.FindCurrencies(ctx, page)
				if !slices.Equal(currencyCodes(got), currencyCodes(want)) || gotTotal != wantTotal {
					t.Errorf("FindCurrencies(%+v) = %v (%d), want %v (%d)", page, currencyCodes(got), gotTotal, currencyCodes(want), wantTotal)
				}
			}
			touching, _ := c.FindRatesTouching(ctx, codes[2], codes[7])
			wantTouching, _ := db.FindRatesTouching(ctx, codes[2], codes[7])
			if !slices.Equal(rateIDs(touching), rateIDs(wantTouching)) {
				t.Errorf("FindRatesTouching = %v, want %v", rateIDs(touching), rateIDs(wantTouching))
			}
			r, err := c.FindExchangeRate(ctx, model.Pair{Base: codes[0], Target: codes[1]})
			if err != nil || r.Rate.String() != "1.01" {
				t.Errorf("FindExchangeRate = %+v, %v, want 1.01", r, err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if _, err := c.FindExchangeRate(ctx, model.Pair{Base: codes[1], Target: codes[0]}); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("FindExchangeRate of an unstored pair: %v, want ENOTFOUND", err)
			}
			if _, err := c.FindCurrencyByCode(ctx, "ZZZ"); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("FindCurrencyByCode(ZZZ): %v, want ENOTFOUND", err)
			}
		})
		t.Run("WritesReadAtOnce", func(t *testing.T) {
			if _, _, err := c.UpdateExchangeRate(ctx, model.Pair{Base: codes[0], Target: codes[1]}, decimal.RequireFromString("9.5")); err != nil {
				t.Fatal(err)
			}
			if r, _ := c.FindExchangeRate(ctx, model.Pair{Base: codes[0], Target: codes[1]}); r.Rate.String() != "9.5" {
				t.Errorf("after an update the catalog reads %v, want 9.5", r.Rate)
			}
			if _, _, err := c.DeleteCurrency(ctx, codes[11]); err != nil {
				t.Fatal(err)
			}
			if _, err := c.FindCurrencyByCode(ctx, codes[11]); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("a deleted currency is still read: %v", err)
			}
			if rates, _ := c.FindRatesTouching(ctx, codes[11]); len(rates) != 0 {
				t.Errorf("the deleted currency's rates are still read: %v", rateIDs(rates))
			}
		})
	})
}

// TestCatalogFollowsOtherInstances: a catalog hears another instance's
// writes through the store's feed, and after its listener is cut. It
// reports the delivery lag (p50, p99) of 40 writes.
func TestCatalogFollowsOtherInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		codes := seed(t, db, 4)
		writer, reader := inmem.New(db, logger), inmem.New(db, logger)
		for _, c := range []*inmem.Catalog{writer, reader} {
			if err := c.Load(ctx); err != nil {
				t.Fatal(err)
			}
		}
		follow(t, reader)
		pair := model.Pair{Base: codes[0], Target: codes[1]}
		visible := func(rate string, within time.Duration) (time.Duration, bool) {
			start := time.Now()
			for time.Since(start) < within {
				if r, err := reader.FindExchangeRate(ctx, pair); err == nil && r.Rate.String() == rate {
					return time.Since(start), true
				}
				time.Sleep(200 * time.Microsecond)
			}
			return within, false
		}
		t.Run("OK", func(t *testing.T) {
			var lags []time.Duration
			for i := range 40 {
				rate := fmt.Sprintf("%d.25", i+2)
				if _, _, err := writer.UpdateExchangeRate(ctx, pair, decimal.RequireFromString(rate)); err != nil {
					t.Fatal(err)
				}
				lag, ok := visible(rate, 5*time.Second)
				if !ok {
					t.Fatalf("write %d not visible to the other catalog within 5s", i)
				}
				lags = append(lags, lag)
			}
			sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
			t.Logf("lag of another instance's write: p50 %v, p99 %v, max %v", lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1])
		})
		t.Run("Currencies", func(t *testing.T) {
			if _, err := writer.UpdateCurrency(ctx, codes[2], model.CurrencyUpdate{Name: ptr("Renamed")}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				if cur, _ := reader.FindCurrencyByCode(ctx, codes[2]); cur != nil && cur.Name == "Renamed" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("a currency renamed elsewhere was not heard within 5s")
				}
				time.Sleep(time.Millisecond)
			}
		})
		if db.Dialect() != "pg" {
			return
		}
		t.Run("AfterReconnect", func(t *testing.T) {
			if err := db.TerminateListenersForTest(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, err := writer.UpdateExchangeRate(ctx, pair, decimal.RequireFromString("77.5")); err != nil {
				t.Fatal(err)
			}
			if _, ok := visible("77.5", 10*time.Second); !ok {
				t.Fatal("a write made while the listener was cut was not read within 10s of it")
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }

// TestCatalogVersion: a load that finds what the catalog holds keeps its
// version; a change makes a new one.
func TestCatalogVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		codes := seed(t, db, 3)
		c := inmem.New(db, logger)
		if c.Version() != 0 {
			t.Errorf("version before the first load = %d, want 0", c.Version())
		}
		if err := c.Load(ctx); err != nil {
			t.Fatal(err)
		}
		v := c.Version()
		if err := c.Load(ctx); err != nil || c.Version() != v {
			t.Errorf("a reload of the same catalog: version %d, %v, want %d", c.Version(), err, v)
		}
		if _, _, err := c.UpdateExchangeRate(ctx, model.Pair{Base: codes[0], Target: codes[1]}, decimal.RequireFromString("1.010")); err != nil {
			t.Fatal(err)
		}
		if c.Version() == v {
			t.Errorf("a rate written with another scale kept version %d, want a new one", v)
		}
	})
}

// BenchmarkLoad reloads a catalog of 40 currencies and 1,000 rates: what
// every write and every other instance's write costs an instance.
func BenchmarkLoad(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) {
			db := storetest.Open(b, backend, time.Now)
			ctx := context.Background()
			codes := seed(b, db, 40)
			n := 39
			for i := range codes {
				for j := range codes {
					if n < 1000 && i != j && j != i+1 {
						if _, err := db.CreateExchangeRate(ctx, model.Pair{Base: codes[i], Target: codes[j]}, decimal.New(int64(100+n), -2)); err == nil {
							n++
						}
					}
				}
			}
			c := inmem.New(db, logger)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Load(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func currencyCodes(list []*model.Currency) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Code
	}
	return out
}
