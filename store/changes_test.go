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
// It returns once the feed follows, which FollowChanges says with a resync.
func follow(t *testing.T, db *store.DB) func(n int) []model.RateChange {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu  sync.Mutex
		got []model.RateChange
	)
	done, following := make(chan struct{}), make(chan struct{}, 1)
	go func() {
		defer close(done)
		resync := func() {
			select {
			case following <- struct{}{}:
			default:
			}
		}
		if err := db.FollowChanges(ctx, func(c model.RateChange) { mu.Lock(); got = append(got, c); mu.Unlock() }, resync); err != nil {
			t.Errorf("FollowChanges: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-following:
	case <-time.After(5 * time.Second):
		t.Fatal("FollowChanges did not resync once it followed: a subscriber live before the feed would miss changes")
	}
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
			snap, pos, err := db.RateSnapshot(ctx, model.RateFilter{BaseCode: "USD"})
			if err != nil || len(snap) != 1 || snap[0].Seq != 4 || !snap[0].Snapshot || snap[0].Rate.String() != "0.8" {
				t.Errorf("snapshot = %+v (%v), want USDEUR 0.8 at sequence 4", snap, err)
			}
			if last := wait(6)[5].ID; pos != last {
				t.Errorf("snapshot position = %d, want %d, the last change's", pos, last)
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
			if i > 0 && c.ID <= got[i-1].ID {
				t.Fatalf("change %d is at position %d after %d: positions increase in commit order", i, c.ID, got[i-1].ID)
			}
		}
		logged, err := db.ChangesAfter(ctx, got[0].ID-1, model.RateFilter{}, 100)
		if err != nil || len(logged) != n {
			t.Fatalf("ChangesAfter = %d changes (%v), want the %d heard", len(logged), err, n)
		}
		for i := range logged {
			if logged[i].ID != got[i].ID || logged[i].Seq != got[i].Seq {
				t.Errorf("logged change %d = position %d seq %d, heard position %d seq %d", i, logged[i].ID, logged[i].Seq, got[i].ID, got[i].Seq)
			}
		}
	})
}

func TestChangesAfter(t *testing.T) {
	eachStore(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		for _, c := range []string{"USD", "EUR", "GBP"} {
			mustCurrency(t, ctx, db, c)
		}
		mustRate(t, ctx, db, "USD", "EUR", "0.9")
		mustRate(t, ctx, db, "GBP", "USD", "1.3")
		all, err := db.ChangesAfter(ctx, 0, model.RateFilter{}, 100)
		if err != nil || len(all) != 2 {
			t.Fatalf("ChangesAfter(0) = %+v (%v), want the 2 creations", all, err)
		}
		t.Run("OK", func(t *testing.T) {
			got, err := db.ChangesAfter(ctx, all[0].ID, model.RateFilter{}, 100)
			if err != nil || len(got) != 1 || got[0].Pair.String() != "GBPUSD" {
				t.Errorf("after the first: got %+v (%v), want GBPUSD only", got, err)
			}
		})
		t.Run("Filter", func(t *testing.T) {
			got, err := db.ChangesAfter(ctx, 0, model.RateFilter{TargetCode: "USD"}, 100)
			if err != nil || len(got) != 1 || got[0].Pair.String() != "GBPUSD" {
				t.Errorf("target USD: got %+v (%v), want GBPUSD only", got, err)
			}
		})
		t.Run("Limit", func(t *testing.T) {
			got, err := db.ChangesAfter(ctx, 0, model.RateFilter{}, 1)
			if err != nil || len(got) != 1 || got[0].ID != all[0].ID {
				t.Errorf("limit 1: got %+v (%v), want the first only", got, err)
			}
		})
		t.Run("AtHead", func(t *testing.T) {
			got, err := db.ChangesAfter(ctx, all[1].ID, model.RateFilter{}, 100)
			if err != nil || len(got) != 0 {
				t.Errorf("at the head: got %+v (%v), want nothing", got, err)
			}
		})
		t.Run("ErrCursorUnknown", func(t *testing.T) {
			if _, err := db.ChangesAfter(ctx, all[1].ID+1000, model.RateFilter{}, 100); err != model.ErrCursorUnknown {
				t.Errorf("past the head: got %v, want ErrCursorUnknown", err)
			}
		})
		t.Run("ErrCursorExpired", func(t *testing.T) {
			n, err := db.PruneChanges(ctx, time.Now().Add(time.Hour))
			if err != nil || n != 2 {
				t.Fatalf("PruneChanges = %d (%v), want 2", n, err)
			}
			if _, err := db.ChangesAfter(ctx, all[0].ID, model.RateFilter{}, 100); err != model.ErrCursorExpired {
				t.Errorf("before the horizon: got %v, want ErrCursorExpired", err)
			}
			// The horizon itself is still a good cursor: nothing after it was pruned.
			if got, err := db.ChangesAfter(ctx, all[1].ID, model.RateFilter{}, 100); err != nil || len(got) != 0 {
				t.Errorf("at the horizon: got %+v (%v), want nothing", got, err)
			}
			mustRate(t, ctx, db, "EUR", "GBP", "0.85")
			got, err := db.ChangesAfter(ctx, all[1].ID, model.RateFilter{}, 100)
			if err != nil || len(got) != 1 || got[0].Pair.String() != "EURGBP" || got[0].ID <= all[1].ID {
				t.Errorf("after the horizon: got %+v (%v), want EURGBP at a new position", got, err)
			}
		})
	})
}
