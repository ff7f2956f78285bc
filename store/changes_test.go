package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

// follow collects the changes FollowChanges delivers until the test ends.
func follow(t *testing.T, db *store.DB) func(n int) []model.RateChange {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu  sync.Mutex
		got []model.RateChange
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := db.FollowChanges(ctx, func(c model.RateChange) { mu.Lock(); got = append(got, c); mu.Unlock() }); err != nil {
			t.Errorf("FollowChanges: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(300 * time.Millisecond) // listening
	return func(n int) []model.RateChange {
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			if len(got) >= n || time.Now().After(deadline) {
				out := append([]model.RateChange(nil), got...)
				mu.Unlock()
				return out
			}
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestFollowChanges(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		for _, c := range []string{"USD", "EUR", "GBP"} {
			mustCurrency(t, ctx, db, c)
		}
		wait := follow(t, db)
		usdeur := model.Pair{Base: "USD", Target: "EUR"}
		mustRate(t, ctx, db, "USD", "EUR", "0.9")
		mustRate(t, ctx, db, "GBP", "USD", "1.3")
		if _, _, err := db.UpdateExchangeRate(ctx, usdeur, decimal.RequireFromString("0.91")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateExchangeRate(ctx, usdeur, decimal.RequireFromString("1")); model.ErrorCode(err) != model.ECONFLICT {
			t.Fatalf("duplicate: %v", err) // rolled back: no change heard
		}
		if _, _, err := db.DeleteCurrency(ctx, "USD"); err != nil {
			t.Fatal(err)
		}
		got := wait(5)
		want := []struct {
			kind      model.RateChangeKind
			pair      string
			seq       int64
			rate, old string
		}{
			{model.RateCreated, "USDEUR", 1, "0.9", ""},
			{model.RateCreated, "GBPUSD", 1, "1.3", ""},
			{model.RateUpdated, "USDEUR", 2, "0.91", "0.9"},
			{model.RateDeleted, "USDEUR", 3, "", "0.91"},
			{model.RateDeleted, "GBPUSD", 2, "", "1.3"},
		}
		if len(got) != len(want) {
			t.Fatalf("heard %d changes, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			rate, old := "", ""
			if g.Rate != nil {
				rate = g.Rate.String()
			}
			if g.Previous != nil {
				old = g.Previous.String()
			}
			if g.Kind != w.kind || g.Pair.String() != w.pair || g.Seq != w.seq || rate != w.rate || old != w.old {
				t.Errorf("change %d = %s %s seq %d rate %q prev %q, want %s %s seq %d rate %q prev %q",
					i, g.Kind, g.Pair, g.Seq, rate, old, w.kind, w.pair, w.seq, w.rate, w.old)
			}
		}
		t.Run("SequenceSurvivesRecreation", func(t *testing.T) {
			mustCurrency(t, ctx, db, "USD")
			mustRate(t, ctx, db, "USD", "EUR", "0.8")
			if got := wait(6); len(got) != 6 || got[5].Seq != 4 {
				t.Errorf("the recreated pair's change = %+v, want sequence 4", got[len(got)-1])
			}
		})
		t.Run("Snapshot", func(t *testing.T) {
			snap, err := db.RateSnapshot(ctx, model.RateFilter{BaseCode: "USD"})
			if err != nil || len(snap) != 1 || snap[0].Seq != 4 || !snap[0].Snapshot || snap[0].Rate.String() != "0.8" {
				t.Errorf("snapshot = %+v (%v), want USDEUR 0.8 at sequence 4", snap, err)
			}
		})
	})
}

func TestFollowChangesOrderUnderConcurrency(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		mustCurrency(t, ctx, db, "USD")
		mustCurrency(t, ctx, db, "EUR")
		mustRate(t, ctx, db, "USD", "EUR", "1")
		wait := follow(t, db)
		const n = 20
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if _, _, err := db.UpdateExchangeRate(ctx, model.Pair{Base: "USD", Target: "EUR"}, decimal.NewFromInt(int64(i+2))); err != nil {
					t.Errorf("update: %v", err)
				}
			})
		}
		wg.Wait()
		got := wait(n)
		if len(got) != n {
			t.Fatalf("heard %d changes, want %d", len(got), n)
		}
		for i, c := range got {
			if c.Seq != int64(i+2) {
				t.Fatalf("change %d has sequence %d, want %d: delivered in commit order", i, c.Seq, i+2)
			}
		}
	})
}
