package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixedNow is the clock of these tests.
var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// eachStore runs fn on a fresh store of every backend, with the fixed clock.
func eachStore(t *testing.T, fn func(t *testing.T, ctx context.Context, db *store.DB)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			fn(t, context.Background(), storetest.Open(t, backend, func() time.Time { return fixedNow }))
		})
	}
}

func mustCurrency(t *testing.T, ctx context.Context, db *store.DB, code string) *model.Currency {
	t.Helper()
	c := &model.Currency{Code: code, Name: code + " name", Sign: "¤"}
	if err := db.CreateCurrency(ctx, c); err != nil {
		t.Fatalf("CreateCurrency(%s): %v", code, err)
	}
	return c
}

func mustRate(t *testing.T, ctx context.Context, db *store.DB, base, target, rate string) *model.ExchangeRate {
	t.Helper()
	r, err := db.CreateExchangeRate(ctx, model.Pair{Base: base, Target: target}, decimal.RequireFromString(rate))
	if err != nil {
		t.Fatalf("CreateExchangeRate(%s%s): %v", base, target, err)
	}
	return r
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := model.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

func TestMigrate(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t.Run("Idempotent", func(t *testing.T) {
			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			if len(applied) != 0 {
				t.Errorf("second Migrate applied %v, want nothing", applied)
			}
		})
	})
}

func TestCurrencies(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		usd := mustCurrency(t, ctx, db, "USD")
		mustCurrency(t, ctx, db, "EUR")
		mustCurrency(t, ctx, db, "GBP")

		t.Run("OK", func(t *testing.T) {
			if usd.ID == 0 {
				t.Errorf("created currency has no id")
			}
			if !usd.CreatedAt.Equal(fixedNow) || !usd.UpdatedAt.Equal(fixedNow) {
				t.Errorf("timestamps = %v, %v, want %v", usd.CreatedAt, usd.UpdatedAt, fixedNow)
			}
			got, err := db.FindCurrencyByCode(ctx, "USD")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != usd.ID || got.Name != "USD name" || got.Sign != "¤" || !got.CreatedAt.Equal(fixedNow) {
				t.Errorf("FindCurrencyByCode = %+v, want %+v", got, usd)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.FindCurrencyByCode(ctx, "XXX")
			wantCode(t, err, model.ENOTFOUND)
		})
		t.Run("ErrConflict", func(t *testing.T) {
			err := db.CreateCurrency(ctx, &model.Currency{Code: "USD", Name: "again", Sign: "$"})
			wantCode(t, err, model.ECONFLICT)
			list, total, err := db.FindCurrencies(ctx, model.CodePage{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if total != 3 || len(list) != 3 {
				t.Errorf("after a conflict: total %d, len %d, want 3, 3", total, len(list))
			}
		})
		t.Run("Pages", func(t *testing.T) {
			page, total, err := db.FindCurrencies(ctx, model.CodePage{Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if total != 3 || len(page) != 2 || page[0].Code != "EUR" || page[1].Code != "GBP" {
				t.Fatalf("first page = %v (total %d), want EUR, GBP of 3", codes(page), total)
			}
			page, _, err = db.FindCurrencies(ctx, model.CodePage{After: "GBP", Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) != 1 || page[0].Code != "USD" {
				t.Errorf("second page = %v, want USD", codes(page))
			}
		})
		t.Run("PagesFromTheEnd", func(t *testing.T) {
			page, _, err := db.FindCurrencies(ctx, model.CodePage{Last: true, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(codes(page)), "[GBP USD]"; got != want {
				t.Errorf("last 2 = %s, want %s, in order", got, want)
			}
			page, _, err = db.FindCurrencies(ctx, model.CodePage{Last: true, Before: "GBP", Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(codes(page)), "[EUR]"; got != want {
				t.Errorf("last 2 before GBP = %s, want %s", got, want)
			}
		})
		t.Run("ByIDsAndCodes", func(t *testing.T) {
			got, err := db.FindCurrenciesByIDs(ctx, []int64{usd.ID, 999999})
			if err != nil || len(got) != 1 || got[0].Code != "USD" {
				t.Errorf("FindCurrenciesByIDs = %v, %v, want [USD]", codes(got), err)
			}
			got, err = db.FindCurrenciesByCodes(ctx, []string{"EUR", "GBP", "XXX"})
			if err != nil || len(got) != 2 {
				t.Errorf("FindCurrenciesByCodes = %v, %v, want EUR and GBP", codes(got), err)
			}
		})
		t.Run("Update", func(t *testing.T) {
			name := "US Dollar"
			got, err := db.UpdateCurrency(ctx, "USD", model.CurrencyUpdate{Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != name || got.Sign != "¤" {
				t.Errorf("after update: name %q sign %q, want %q and the sign unchanged", got.Name, got.Sign, name)
			}
			again, _ := db.FindCurrencyByCode(ctx, "USD")
			if again.Name != name {
				t.Errorf("stored name = %q, want %q", again.Name, name)
			}
			_, err = db.UpdateCurrency(ctx, "XXX", model.CurrencyUpdate{Name: &name})
			wantCode(t, err, model.ENOTFOUND)
		})
	})
}

func TestExchangeRates(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		for _, c := range []string{"USD", "EUR", "GBP", "JPY"} {
			mustCurrency(t, ctx, db, c)
		}
		usdeur := mustRate(t, ctx, db, "USD", "EUR", "0.865")

		t.Run("OK", func(t *testing.T) {
			if usdeur.BaseCode != "USD" || usdeur.TargetCode != "EUR" || usdeur.ID == 0 {
				t.Errorf("created rate = %+v, want USD→EUR with an id", usdeur)
			}
			got, err := db.FindExchangeRate(ctx, model.Pair{Base: "USD", Target: "EUR"})
			if err != nil {
				t.Fatal(err)
			}
			if got.Rate.String() != "0.865" || got.ID != usdeur.ID {
				t.Errorf("FindExchangeRate = %s (id %d), want 0.865 (id %d)", got.Rate, got.ID, usdeur.ID)
			}
		})
		t.Run("Exact", func(t *testing.T) {
			for _, s := range []string{"0.000000000000000001", "123456789012345678.123456789012345678", "1.10"} {
				r := mustRate(t, ctx, db, "GBP", "JPY", s)
				got, err := db.FindExchangeRate(ctx, model.Pair{Base: "GBP", Target: "JPY"})
				if err != nil {
					t.Fatal(err)
				}
				if model.DecimalString(got.Rate) != s {
					t.Errorf("stored %s, read back %s", s, model.DecimalString(got.Rate))
				}
				if _, err := db.DeleteExchangeRate(ctx, model.Pair{Base: "GBP", Target: "JPY"}); err != nil || r == nil {
					t.Fatal(err)
				}
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			_, err := db.CreateExchangeRate(ctx, model.Pair{Base: "USD", Target: "EUR"}, decimal.RequireFromString("2"))
			wantCode(t, err, model.ECONFLICT)
			got, _ := db.FindExchangeRate(ctx, model.Pair{Base: "USD", Target: "EUR"})
			if got.Rate.String() != "0.865" {
				t.Errorf("after a conflict the rate is %s, want 0.865", got.Rate)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.CreateExchangeRate(ctx, model.Pair{Base: "USD", Target: "XXX"}, decimal.RequireFromString("2"))
			wantCode(t, err, model.ENOTFOUND)
			_, err = db.FindExchangeRate(ctx, model.Pair{Base: "EUR", Target: "USD"})
			wantCode(t, err, model.ENOTFOUND)
			_, _, err = db.UpdateExchangeRate(ctx, model.Pair{Base: "EUR", Target: "USD"}, decimal.RequireFromString("2"))
			wantCode(t, err, model.ENOTFOUND)
			_, err = db.DeleteExchangeRate(ctx, model.Pair{Base: "EUR", Target: "USD"})
			wantCode(t, err, model.ENOTFOUND)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := db.CreateExchangeRate(ctx, model.Pair{Base: "USD", Target: "USD"}, decimal.RequireFromString("1"))
			wantCode(t, err, model.EINVALID)
		})
		t.Run("Update", func(t *testing.T) {
			prev, cur, err := db.UpdateExchangeRate(ctx, model.Pair{Base: "USD", Target: "EUR"}, decimal.RequireFromString("0.9"))
			if err != nil {
				t.Fatal(err)
			}
			if prev.Rate.String() != "0.865" || cur.Rate.String() != "0.9" || cur.BaseCode != "USD" {
				t.Errorf("update: prev %s cur %s, want 0.865 and 0.9", prev.Rate, cur.Rate)
			}
			got, _ := db.FindExchangeRate(ctx, model.Pair{Base: "USD", Target: "EUR"})
			if got.Rate.String() != "0.9" {
				t.Errorf("stored rate = %s, want 0.9", got.Rate)
			}
		})
		t.Run("FilterAndPages", func(t *testing.T) {
			mustRate(t, ctx, db, "USD", "GBP", "0.76")
			mustRate(t, ctx, db, "EUR", "GBP", "0.88")
			list, total, err := db.FindExchangeRates(ctx, model.RateFilter{BaseCode: "USD"}, model.Page{Limit: 10})
			if err != nil || total != 2 || len(list) != 2 {
				t.Fatalf("base USD: %d of %d (%v), want 2 of 2", len(list), total, err)
			}
			list, total, _ = db.FindExchangeRates(ctx, model.RateFilter{TargetCode: "GBP"}, model.Page{Limit: 10})
			if total != 2 || len(list) != 2 {
				t.Errorf("target GBP: %d of %d, want 2 of 2", len(list), total)
			}
			list, total, _ = db.FindExchangeRates(ctx, model.RateFilter{BaseCode: "EUR", TargetCode: "GBP"}, model.Page{Limit: 10})
			if total != 1 || list[0].Rate.String() != "0.88" {
				t.Errorf("EUR→GBP: %d rates, want the one of 0.88", total)
			}
			first, total, _ := db.FindExchangeRates(ctx, model.RateFilter{}, model.Page{Limit: 2})
			if total != 3 || len(first) != 2 {
				t.Fatalf("first page: %d of %d, want 2 of 3", len(first), total)
			}
			rest, _, _ := db.FindExchangeRates(ctx, model.RateFilter{}, model.Page{After: first[1].ID, Limit: 2})
			if len(rest) != 1 || rest[0].ID <= first[1].ID {
				t.Errorf("second page = %d rates, want the last one", len(rest))
			}
			last, _, _ := db.FindExchangeRates(ctx, model.RateFilter{}, model.Page{Last: true, Limit: 2})
			if len(last) != 2 || last[0].ID != first[1].ID || last[1].ID != rest[0].ID {
				t.Errorf("last 2 = %d rates, want the second and the third, in order", len(last))
			}
			before, _, _ := db.FindExchangeRates(ctx, model.RateFilter{}, model.Page{Last: true, Before: first[1].ID, Limit: 2})
			if len(before) != 1 || before[0].ID != first[0].ID {
				t.Errorf("last 2 before the second = %d rates, want the first", len(before))
			}
		})
		t.Run("Touching", func(t *testing.T) {
			list, err := db.FindRatesTouching(ctx, "JPY", "EUR")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 { // USD→EUR and EUR→GBP
				t.Errorf("rates touching JPY or EUR = %d, want 2", len(list))
			}
		})
	})
}

func TestDeleteCurrency(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		for _, c := range []string{"USD", "EUR", "GBP"} {
			mustCurrency(t, ctx, db, c)
		}
		mustRate(t, ctx, db, "USD", "EUR", "0.9")
		mustRate(t, ctx, db, "GBP", "USD", "1.3")
		mustRate(t, ctx, db, "EUR", "GBP", "0.88")

		t.Run("OK", func(t *testing.T) {
			c, rates, err := db.DeleteCurrency(ctx, "USD")
			if err != nil {
				t.Fatal(err)
			}
			if c.Code != "USD" || len(rates) != 2 {
				t.Fatalf("deleted %s with %d rates, want USD with 2", c.Code, len(rates))
			}
			_, total, _ := db.FindExchangeRates(ctx, model.RateFilter{}, model.Page{Limit: 10})
			if total != 1 {
				t.Errorf("rates left = %d, want 1 (EUR→GBP)", total)
			}
			_, err = db.FindCurrencyByCode(ctx, "USD")
			wantCode(t, err, model.ENOTFOUND)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, _, err := db.DeleteCurrency(ctx, "USD")
			wantCode(t, err, model.ENOTFOUND)
		})
	})
}

func TestConcurrentCreate(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = db.CreateCurrency(ctx, &model.Currency{Code: "CHF", Name: "Swiss Franc", Sign: "Fr"})
			})
		}
		wg.Wait()
		var ok, conflicts int
		for _, err := range errs {
			switch model.ErrorCode(err) {
			case "":
				ok++
			case model.ECONFLICT:
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Errorf("%d successes and %d conflicts, want 1 and %d", ok, conflicts, n-1)
		}
	})
}

func TestSeedDemo(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		seeded, err := db.SeedDemo(ctx)
		if err != nil || !seeded {
			t.Fatalf("SeedDemo = %v, %v, want true", seeded, err)
		}
		_, total, _ := db.FindCurrencies(ctx, model.CodePage{Limit: 100})
		if total != 12 {
			t.Errorf("demo currencies = %d, want 12", total)
		}
		_, rates, _ := db.FindExchangeRates(ctx, model.RateFilter{}, model.Page{Limit: 100})
		if rates == 0 {
			t.Errorf("demo has no rates")
		}
		seeded, err = db.SeedDemo(ctx)
		if err != nil || seeded {
			t.Errorf("second SeedDemo = %v, %v, want false: a store with data is left alone", seeded, err)
		}
	})
}

func codes(list []*model.Currency) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Code
	}
	return out
}
