package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fxgraph/gateway/internal/testclock"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
)

func TestLoginFailures(t *testing.T) {
	eachStoreClock(t, func(t *testing.T, ctx context.Context, db *store.DB, clock *testclock.Clock) {
		const window = 15 * time.Minute
		count := func(delta int, keys ...string) map[string]model.LoginFailures {
			t.Helper()
			got, err := db.AddLoginFailures(ctx, window, delta, keys...)
			if err != nil {
				t.Fatalf("AddLoginFailures: %v", err)
			}
			out := map[string]model.LoginFailures{}
			for _, f := range got {
				out[f.Key] = f
			}
			return out
		}
		t.Run("OK", func(t *testing.T) {
			start := clock.Now()
			count(1, "a", "b")
			clock.Advance(time.Minute)
			got := count(1, "a", "b")
			if got["a"].Count != 2 || got["b"].Count != 2 || !got["a"].WindowStart.Equal(start) {
				t.Errorf("got %+v, want a and b at 2 since %v", got, start)
			}
			if got := count(-1, "b"); got["b"].Count != 1 {
				t.Errorf("b after taking one back = %d, want 1", got["b"].Count)
			}
			if got := count(-1, "b", "b"); got["b"].Count != 0 {
				t.Errorf("b never goes below zero: got %d", got["b"].Count)
			}
		})
		t.Run("NewWindow", func(t *testing.T) {
			count(1, "c")
			count(1, "c")
			clock.Advance(window)
			got := count(1, "c")
			if got["c"].Count != 1 || !got["c"].WindowStart.Equal(clock.Now()) {
				t.Errorf("got %+v, want 1 in a window starting %v", got["c"], clock.Now())
			}
			if got := count(-1, "fresh"); got["fresh"].Count != 0 {
				t.Errorf("taking back from a new key = %d, want 0", got["fresh"].Count)
			}
		})
		t.Run("Clear", func(t *testing.T) {
			count(1, "d", "e")
			if err := db.ClearLoginFailures(ctx, "d"); err != nil {
				t.Fatal(err)
			}
			got := count(0, "d", "e")
			if got["d"].Count != 0 || got["e"].Count != 1 {
				t.Errorf("after clearing d: %+v, want d 0 and e 1", got)
			}
		})
		t.Run("Concurrent", func(t *testing.T) {
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					if _, err := db.AddLoginFailures(ctx, window, 1, "f"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := count(0, "f"); got["f"].Count != 20 {
				t.Errorf("20 concurrent failures counted %d", got["f"].Count)
			}
		})
		t.Run("Prune", func(t *testing.T) {
			count(1, "g")
			clock.Advance(2 * window)
			n, err := db.PruneLoginFailures(ctx, clock.Now().Add(-window))
			if err != nil || n == 0 {
				t.Fatalf("PruneLoginFailures = %d, %v, want the old counters gone", n, err)
			}
			if got := count(0, "g"); got["g"].Count != 0 {
				t.Errorf("g after pruning = %d, want 0", got["g"].Count)
			}
		})
	})
}
