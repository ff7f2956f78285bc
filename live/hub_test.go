package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/live"
	"github.com/fxgraph/gateway/model"
)

func change(base, target string, seq int64, rate string) model.RateChange {
	d := decimal.RequireFromString(rate)
	return model.RateChange{ID: seq, Kind: model.RateUpdated, Pair: model.Pair{Base: base, Target: target}, Rate: &d, Seq: seq}
}

func TestHub(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t.Run("OK", func(t *testing.T) {
		h := live.NewHub()
		all, _, _ := h.Subscribe(model.RateFilter{}, true)
		usd, _, _ := h.Subscribe(model.RateFilter{BaseCode: "USD"}, true)
		eur, _, _ := h.Subscribe(model.RateFilter{TargetCode: "EUR"}, true)
		h.Publish(change("USD", "EUR", 1, "0.9"))
		h.Publish(change("GBP", "USD", 1, "1.3"))
		for _, tc := range []struct {
			name string
			s    *live.Subscription
			want int
		}{{"All", all, 2}, {"BaseUSD", usd, 1}, {"TargetEUR", eur, 1}} {
			got, err := tc.s.Next(ctx)
			if err != nil || len(got) != tc.want {
				t.Errorf("%s: got %d changes (%v), want %d", tc.name, len(got), err, tc.want)
			}
		}
	})
	t.Run("BurstKeepsEveryChange", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, true)
		for i := int64(1); i <= 10; i++ {
			h.Publish(change("USD", "EUR", i, "1"))
		}
		got, err := s.Next(ctx)
		if err != nil || len(got) != 10 {
			t.Fatalf("got %d changes (%v), want all 10 of the burst", len(got), err)
		}
		for i, c := range got {
			if c.Seq != int64(i+1) {
				t.Errorf("change %d has sequence %d, want %d: in order, none skipped", i, c.Seq, i+1)
			}
		}
	})
	t.Run("SlowSubscriberLatestWins", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, true)
		done := make(chan struct{})
		go func() { // the writer must never block, however slow the reader
			defer close(done)
			for i := int64(1); i <= 10000; i++ {
				h.Publish(change("USD", "EUR", i, "1"))
				h.Publish(change("USD", "GBP", i, "2"))
			}
		}()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatal("Publish blocked on a subscriber that does not read")
		}
		got, err := s.Next(ctx)
		if err != nil || len(got) != live.QueueSize {
			t.Fatalf("queued = %d changes (%v), want a full queue of %d", len(got), err, live.QueueSize)
		}
		lastSeq := map[string]int64{}
		for _, c := range got {
			if c.Seq <= lastSeq[c.Pair.Target] {
				t.Fatalf("%s: sequence %d after %d, want increasing per pair", c.Pair, c.Seq, lastSeq[c.Pair.Target])
			}
			lastSeq[c.Pair.Target] = c.Seq
		}
		if lastSeq["EUR"] != 10000 || lastSeq["GBP"] != 10000 {
			t.Errorf("last sequences = %v, want the latest (10000) of each pair", lastSeq)
		}
		if c := s.Coalesced(); c != 2*10000-live.QueueSize {
			t.Errorf("coalesced = %d, want %d", c, 2*10000-live.QueueSize)
		}
	})
	t.Run("ErrTooSlow", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, true)
		for i := 0; i <= live.QueueSize; i++ {
			code := string([]byte{'A' + byte(i/676%26), 'A' + byte(i/26%26), 'A' + byte(i%26)})
			h.Publish(change(code, "ZZZ", 1, "1"))
		}
		if _, err := s.Next(ctx); err != nil {
			t.Fatalf("first Next = %v, want the pending changes", err)
		}
		if _, err := s.Next(ctx); !errors.Is(err, live.ErrTooSlow) {
			t.Errorf("Next after overflow = %v, want ErrTooSlow", err)
		}
	})
	t.Run("Close", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, true)
		h.Close()
		if _, err := s.Next(ctx); !errors.Is(err, live.ErrClosed) {
			t.Errorf("Next after Close = %v, want ErrClosed", err)
		}
		if _, _, err := h.Subscribe(model.RateFilter{}, true); !errors.Is(err, live.ErrClosed) {
			t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
		}
	})
	t.Run("Unsubscribe", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, true)
		h.Unsubscribe(s)
		if n := h.Len(); n != 0 {
			t.Errorf("Len = %d after Unsubscribe, want 0", n)
		}
	})
	t.Run("HeadAtSubscribe", func(t *testing.T) {
		h := live.NewHub()
		h.Publish(change("USD", "EUR", 7, "1"))
		_, head, _ := h.Subscribe(model.RateFilter{}, true)
		if head != 7 {
			t.Errorf("head = %d, want 7, the last position published", head)
		}
	})
	t.Run("CatchingUpQueuesNothing", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, false)
		h.Publish(change("USD", "EUR", 1, "1"))
		s.GoLive()
		h.Publish(change("USD", "EUR", 2, "1"))
		got, err := s.Next(ctx)
		if err != nil || len(got) != 1 || got[0].ID != 2 {
			t.Errorf("got %v (%v), want only the change published after GoLive", got, err)
		}
		if q := h.Stats().Queued.Load(); q != 1 {
			t.Errorf("queued %d, want 1", q)
		}
	})
	t.Run("Resync", func(t *testing.T) {
		h := live.NewHub()
		s, _, _ := h.Subscribe(model.RateFilter{}, true)
		h.Publish(change("USD", "EUR", 1, "1"))
		h.Resync()
		if _, err := s.Next(ctx); !errors.Is(err, live.ErrResync) {
			t.Fatalf("Next after Resync = %v, want ErrResync", err)
		}
		h.Publish(change("USD", "EUR", 2, "1")) // catching up: the log has it
		s.GoLive()
		h.Publish(change("USD", "EUR", 3, "1"))
		got, err := s.Next(ctx)
		if err != nil || len(got) != 1 || got[0].ID != 3 {
			t.Errorf("got %v (%v), want only the change after GoLive", got, err)
		}
		if n := h.Stats().Resyncs.Load(); n != 1 {
			t.Errorf("resyncs = %d, want 1", n)
		}
	})
}
