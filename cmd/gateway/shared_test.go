package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

// stream is a subscription on its own connection whose results a
// goroutine collects.
type stream struct {
	c      *wsClient
	events chan map[string]any // rateChanged results, or {"error": …}
	done   chan struct{}
}

// openStream connects, authenticates and subscribes to query with id "1",
// with variables if any.
func openStream(t *testing.T, base, token, query string, variables ...map[string]any) *stream {
	t.Helper()
	c := wsDial(t, base, "graphql-transport-ws")
	c.init(token)
	payload := map[string]any{"query": query}
	if len(variables) > 0 {
		payload["variables"] = variables[0]
	}
	c.send(map[string]any{"id": "1", "type": "subscribe", "payload": payload})
	s := &stream{c: c, events: make(chan map[string]any, 4096), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			var m map[string]any
			if err := c.conn.ReadJSON(&m); err != nil {
				s.events <- map[string]any{"closed": err.Error()}
				return
			}
			switch m["type"] {
			case "ping":
				_ = c.conn.WriteJSON(map[string]any{"type": "pong"})
			case "next":
				p := m["payload"].(map[string]any)
				if p["errors"] != nil {
					s.events <- map[string]any{"error": fmt.Sprint(p["errors"])}
					continue
				}
				s.events <- p["data"].(map[string]any)["rateChanged"].(map[string]any)
			case "complete", "error":
				s.events <- map[string]any{m["type"].(string): fmt.Sprint(m["payload"])}
			}
		}
	}()
	t.Cleanup(func() { c.conn.Close(); <-s.done })
	return s
}

func (s *stream) next(t *testing.T, timeout time.Duration) map[string]any {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-time.After(timeout):
		t.Fatalf("no event within %v", timeout)
		return nil
	}
}

// none fails if an event arrives within d.
func (s *stream) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-s.events:
		t.Errorf("unexpected event %v", e)
	case <-time.After(d):
	}
}

// waitMetric waits until the gateway's metric reaches want.
func waitMetric(t *testing.T, base, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := scrape(t, base+"/metrics")[name]
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// usdeurLive is the operation of TestSharedExecutions' subscribers: with
// or without $cur, they share one execution.
const usdeurLive = `subscription($cur: Boolean) { rateChanged(base: "USD", target: "EUR", includeCurrent: $cur) { pair rate sequence cursor snapshot } }`

func TestSharedExecutions(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	admin := loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "shared")
	if _, out := postGraphQL(t, base, "", `mutation { register(input: {username: "fx_watcher", password: "watcher-pw-1", passwordConfirmation: "watcher-pw-1"}) { id } }`); out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	watcher := login(t, base, "fx_watcher", "watcher-pw-1")

	var subs []*stream
	for range 5 {
		subs = append(subs, openStream(t, base, admin, usdeurLive))
	}
	waitMetric(t, base, "gateway_subscriptions", 5)
	before := scrape(t, base+"/metrics")
	if got := before["gateway_subscription_groups"]; got != 1 {
		t.Errorf("groups = %v, want 1: five subscribers of one operation", got)
	}
	if got := before["gateway_subscription_executions"]; got != 1 {
		t.Errorf("executions = %v, want 1", got)
	}
	updateRate(t, base, admin, "0.9101")
	for i, s := range subs {
		if e := s.next(t, 5*time.Second); e["rate"] != "0.9101" {
			t.Errorf("subscriber %d got %v, want 0.9101", i, e)
		}
	}
	after := scrape(t, base+"/metrics")
	if got := after["gateway_subscription_shared_results_total"] - before["gateway_subscription_shared_results_total"]; got != 1 {
		t.Errorf("shared results = %v for one change, want 1: encoded once for five", got)
	}

	t.Run("JoinerWithSnapshot", func(t *testing.T) {
		j := openStream(t, base, watcher, usdeurLive, map[string]any{"cur": true})
		snap := j.next(t, 5*time.Second)
		if snap["snapshot"] != true || snap["rate"] != "0.9101" {
			t.Fatalf("joiner's first event %v, want the snapshot at 0.9101", snap)
		}
		updateRate(t, base, admin, "0.9102")
		if e := j.next(t, 5*time.Second); e["rate"] != "0.9102" || e["sequence"] != snap["sequence"].(float64)+1 {
			t.Errorf("joiner got %v, want 0.9102 right after its snapshot", e)
		}
		for _, s := range subs {
			s.next(t, 5*time.Second)
		}
		waitMetric(t, base, "gateway_subscription_executions", 1) // handed over to the group
		j.none(t, 200*time.Millisecond)

		t.Run("RevocationEndsOnlyThatSubscriber", func(t *testing.T) {
			if _, out := postGraphQL(t, base, watcher, `mutation { revokeTokens }`); out["errors"] != nil {
				t.Fatal(out["errors"])
			}
			if e := j.next(t, 3*time.Second); e["closed"] == nil || !strings.Contains(fmt.Sprint(e["closed"]), "4403") {
				t.Errorf("the revoked subscriber got %v, want its socket closed with 4403", e)
			}
			updateRate(t, base, admin, "0.9103")
			for i, s := range subs {
				if e := s.next(t, 5*time.Second); e["rate"] != "0.9103" {
					t.Errorf("subscriber %d got %v after another's revocation, want 0.9103", i, e)
				}
			}
		})
	})
}

// TestSharedSeam has subscribers join a shared execution while a writer
// changes the rate as fast as it can: whether it joins with a snapshot or
// after a cursor, each one gets every change after its start once, in
// order. It runs with shared executions and without.
func TestSharedSeam(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		for _, unshared := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/unshared=%v", backend, unshared), func(t *testing.T) {
				base := hardenedGateway(t, backend, map[string]string{"WS_UNSHARED": fmt.Sprint(unshared)})
				token := loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "seam")
				updateRate(t, base, token, "0.5000")
				const doc = `subscription($cur: Boolean, $after: String) {
					rateChanged(base: "USD", target: "EUR", includeCurrent: $cur, after: $after) { rate sequence cursor snapshot } }`
				first := openStream(t, base, token, doc, map[string]any{"cur": true})
				start := first.next(t, 5*time.Second)
				const writes = 120
				var wg sync.WaitGroup
				wg.Go(func() {
					for i := range writes {
						updateRate(t, base, token, fmt.Sprintf("0.6%03d", i))
					}
				})
				type joiner struct {
					s     *stream
					after float64 // the last sequence it has before its live changes
				}
				joiners := []joiner{{first, start["sequence"].(float64)}}
				for i := range 6 {
					time.Sleep(15 * time.Millisecond)
					if i%2 == 0 {
						s := openStream(t, base, token, doc, map[string]any{"cur": true})
						joiners = append(joiners, joiner{s, s.next(t, 5*time.Second)["sequence"].(float64)})
						continue
					}
					// Resume after a change the first subscriber has seen.
					var e map[string]any
					for e = first.next(t, 5*time.Second); e["snapshot"] == true; e = first.next(t, 5*time.Second) {
					}
					joiners[0].after = e["sequence"].(float64)
					s := openStream(t, base, token, doc, map[string]any{"after": e["cursor"]})
					joiners = append(joiners, joiner{s, e["sequence"].(float64)})
				}
				wg.Wait()
				last := start["sequence"].(float64) + writes
				for n, j := range joiners {
					var got []float64
					for len(got) == 0 || got[len(got)-1] < last {
						e := j.s.next(t, 10*time.Second)
						seq, ok := e["sequence"].(float64)
						if !ok {
							t.Fatalf("joiner %d: %v", n, e)
						}
						got = append(got, seq)
					}
					for i, seq := range got {
						if want := j.after + float64(i) + 1; seq != want {
							t.Fatalf("joiner %d got sequences %v after %v: at %d got %v, want %v (no gap, no duplicate)", n, got, j.after, i, seq, want)
						}
					}
				}
			})
		}
	}
}

func TestResumeFromCursor(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base := hardenedGateway(t, backend, map[string]string{"CHANGE_LOG_RETENTION": "1s"})
			token := loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "resume")
			s := openStream(t, base, token, `subscription { rateChanged(base: "USD", target: "EUR", includeCurrent: true) { rate sequence cursor snapshot } }`)
			snap := s.next(t, 5*time.Second)
			updateRate(t, base, token, "0.7001")
			seen := s.next(t, 5*time.Second)
			s.c.conn.Close()
			<-s.done
			for _, r := range []string{"0.7002", "0.7003"} {
				updateRate(t, base, token, r)
			}
			t.Run("OK", func(t *testing.T) {
				r := openStream(t, base, token, fmt.Sprintf(`subscription { rateChanged(base: "USD", target: "EUR", after: %q) { rate sequence cursor snapshot } }`, seen["cursor"]))
				for i, want := range []string{"0.7002", "0.7003"} {
					e := r.next(t, 5*time.Second)
					if e["rate"] != want || e["sequence"] != seen["sequence"].(float64)+float64(i)+1 || e["snapshot"] != false {
						t.Errorf("replayed %v, want %s right after the cursor", e, want)
					}
				}
				updateRate(t, base, token, "0.7004")
				if e := r.next(t, 5*time.Second); e["rate"] != "0.7004" {
					t.Errorf("then %v, want the live 0.7004", e)
				}
				r.none(t, 200*time.Millisecond)
			})
			t.Run("SnapshotCursor", func(t *testing.T) {
				// A snapshot row's cursor resumes after the snapshot.
				r := openStream(t, base, token, fmt.Sprintf(`subscription { rateChanged(base: "USD", target: "EUR", after: %q) { rate } }`, snap["cursor"]))
				if e := r.next(t, 5*time.Second); e["rate"] != "0.7001" {
					t.Errorf("after the snapshot: %v, want 0.7001 first", e)
				}
			})
			for name, after := range map[string]string{"ErrNotACursor": "bogus", "ErrUnknownCursor": "Y2hhbmdlOjk5OTk5OQ"} {
				t.Run(name, func(t *testing.T) {
					r := openStream(t, base, token, fmt.Sprintf(`subscription { rateChanged(after: %q) { rate } }`, after))
					if e := r.next(t, 5*time.Second); !strings.Contains(fmt.Sprint(e["error"]), "BAD_USER_INPUT") {
						t.Errorf("got %v, want a BAD_USER_INPUT error", e)
					}
				})
			}
			t.Run("ErrBoth", func(t *testing.T) {
				r := openStream(t, base, token, fmt.Sprintf(`subscription { rateChanged(includeCurrent: true, after: %q) { rate } }`, seen["cursor"]))
				if e := r.next(t, 5*time.Second); !strings.Contains(fmt.Sprint(e["error"]), "not both") {
					t.Errorf("got %v, want an error: includeCurrent or after", e)
				}
			})
			t.Run("ErrCursorExpired", func(t *testing.T) {
				deadline := time.Now().Add(10 * time.Second)
				for {
					r := openStream(t, base, token, fmt.Sprintf(`subscription { rateChanged(after: %q) { rate } }`, seen["cursor"]))
					e := r.next(t, 5*time.Second)
					if strings.Contains(fmt.Sprint(e["error"]), "older than the change log keeps") {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("got %v 10 s on, with a retention of 1 s; want the cursor refused as expired", e)
					}
					time.Sleep(300 * time.Millisecond)
				}
			})
		})
	}
}

// TestIdleConnectionCost counts the goroutines of idle subscribers: at
// most two per connection (here one: its reader; the shared execution
// serves them all).
func TestIdleConnectionCost(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	token := loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "idle")
	openStream(t, base, token, usdeurLive) // the group, and the test's own reader
	waitMetric(t, base, "gateway_subscriptions", 1)
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	const n = 40
	for range n {
		c := wsDial(t, base, "graphql-transport-ws") // no reader: no client goroutine
		c.init(token)
		c.subscribe("1", usdeurLive)
	}
	waitMetric(t, base, "gateway_subscriptions", n+1)
	time.Sleep(100 * time.Millisecond)
	if got := runtime.NumGoroutine() - before; got > 2*n {
		t.Errorf("%d idle connections added %d goroutines, want at most %d", n, got, 2*n)
	} else {
		t.Logf("%d idle connections added %d goroutines", n, got)
	}
	if got := scrape(t, base+"/metrics")["gateway_subscription_executions"]; got != 1 {
		t.Errorf("executions = %v, want 1 for %d subscribers of one operation", got, n+1)
	}
}
