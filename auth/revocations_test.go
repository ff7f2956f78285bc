package auth_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// pollInterval is the revocation poll of these tests.
const pollInterval = 100 * time.Millisecond

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// eachBackend runs fn on a fresh store of every backend whose clock is now.
func eachBackend(t *testing.T, now func() time.Time, fn func(t *testing.T, ctx context.Context, db *store.DB)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			fn(t, context.Background(), storetest.Open(t, backend, now))
		})
	}
}

var userSeq struct {
	sync.Mutex
	n int
}

func storeUser(t *testing.T, ctx context.Context, db *store.DB) *model.User {
	t.Helper()
	userSeq.Lock()
	userSeq.n++
	name := fmt.Sprintf("rev_user_%d", userSeq.n)
	userSeq.Unlock()
	u := &model.User{Username: &name, Category: model.CategoryAPIClient, Active: true, ReworkAvailable: model.DefaultRework, PasswordHash: "h"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// storeTokens records n access tokens of the user issued at issued.
func storeTokens(t *testing.T, ctx context.Context, db *store.DB, u *model.User, issued time.Time, ttl time.Duration, n int) []*model.Token {
	t.Helper()
	var out []*model.Token
	for range n {
		out = append(out, &model.Token{ID: uuid.NewString(), UserID: u.ID, DeviceID: "d", Type: model.TokenAccess,
			IssuedAt: issued.UTC().Truncate(time.Second), ExpiresAt: issued.UTC().Truncate(time.Second).Add(ttl)})
	}
	if err := db.CreateTokens(ctx, false, out...); err != nil {
		t.Fatalf("CreateTokens: %v", err)
	}
	return out
}

func revoke(t *testing.T, ctx context.Context, db *store.DB, u *model.User, tokens ...*model.Token) {
	t.Helper()
	ids := make([]string, len(tokens))
	for i, tk := range tokens {
		ids[i] = tk.ID
	}
	got, err := db.RevokeTokens(ctx, u.ID, ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("RevokeTokens = %v, %v, want %d ids", got, err, len(ids))
	}
}

// runRevocations starts r.Run and returns its stop function, which cancels
// it and waits (at most a second) for the goroutine to return.
func runRevocations(t *testing.T, r *auth.Revocations) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(time.Second):
				t.Errorf("Run did not return within 1s of its context's cancellation")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond every 10ms for up to d; it reports how long it took.
func eventually(d time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for {
		if cond() {
			return time.Since(start), true
		}
		if time.Since(start) > d {
			return time.Since(start), false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRevocationsLoad(t *testing.T) {
	clock := newAuthClock()
	eachBackend(t, clock.Now, func(t *testing.T, ctx context.Context, db *store.DB) {
		u := storeUser(t, ctx, db)
		tks := storeTokens(t, ctx, db, u, clock.Now(), time.Hour, 3)
		revoke(t, ctx, db, u, tks[0], tks[1])

		r := auth.NewRevocations(db, pollInterval, clock.Now, discardLogger)
		if r.Revoked(tks[0].ID) {
			t.Errorf("a new cache knows a revocation before Load")
		}
		if err := r.Load(ctx); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !r.Revoked(tks[0].ID) || !r.Revoked(tks[1].ID) {
			t.Errorf("after Load: Revoked = %v, %v, want true, true", r.Revoked(tks[0].ID), r.Revoked(tks[1].ID))
		}
		if r.Revoked(tks[2].ID) || r.Revoked(uuid.NewString()) {
			t.Errorf("after Load: a live or unknown token is revoked")
		}
	})
}

func TestRevocationsRun(t *testing.T) {
	eachBackend(t, time.Now, func(t *testing.T, ctx context.Context, db *store.DB) {
		u := storeUser(t, ctx, db)
		tks := storeTokens(t, ctx, db, u, time.Now(), time.Hour, 3)
		disabled := storeUser(t, ctx, db)
		disabledTks := storeTokens(t, ctx, db, disabled, time.Now(), time.Hour, 1)
		deleted := storeUser(t, ctx, db)
		deletedTks := storeTokens(t, ctx, db, deleted, time.Now(), time.Hour, 1)

		r := auth.NewRevocations(db, pollInterval, time.Now, discardLogger)
		if err := r.Load(ctx); err != nil {
			t.Fatal(err)
		}
		stop := runRevocations(t, r)

		for name, act := range map[string]func(){
			"RevokeTokens": func() { revoke(t, ctx, db, u, tks[1]) },
			"disable": func() {
				if _, err := db.UpdateUser(ctx, disabled.ID, model.UserUpdate{Active: new(bool)}); err != nil {
					t.Fatal(err)
				}
			},
			"DeleteUser": func() {
				if err := db.DeleteUser(ctx, deleted.ID); err != nil {
					t.Fatal(err)
				}
			},
		} {
			id := map[string]string{"RevokeTokens": tks[1].ID, "disable": disabledTks[0].ID, "DeleteUser": deletedTks[0].ID}[name]
			if r.Revoked(id) {
				t.Fatalf("%s: revoked before the store revoked it", name)
			}
			act()
			took, ok := eventually(time.Second, func() bool { return r.Revoked(id) })
			if !ok {
				t.Errorf("%s: the revocation was not seen within 1s (poll interval %v)", name, pollInterval)
			} else {
				t.Logf("%s: seen after %v", name, took.Round(time.Millisecond))
			}
		}
		if r.Revoked(tks[0].ID) || r.Revoked(tks[2].ID) {
			t.Errorf("live tokens are revoked")
		}

		// After Run stops, revocations are no longer picked up.
		stop()
		revoke(t, ctx, db, u, tks[2])
		time.Sleep(3 * pollInterval)
		if r.Revoked(tks[2].ID) {
			t.Errorf("a stopped Run still polls")
		}
	})
}

func TestRevocationsExpiredDropped(t *testing.T) {
	clock := newAuthClock()
	eachBackend(t, clock.Now, func(t *testing.T, ctx context.Context, db *store.DB) {
		clock.Set(authT0)
		u := storeUser(t, ctx, db)
		short := storeTokens(t, ctx, db, u, authT0, 10*time.Minute, 1)[0]
		long := storeTokens(t, ctx, db, u, authT0, 2*time.Hour, 1)[0]
		revoke(t, ctx, db, u, short, long)

		r := auth.NewRevocations(db, pollInterval, clock.Now, discardLogger)
		if err := r.Load(ctx); err != nil {
			t.Fatal(err)
		}
		r.Add([]string{"local-short"}, authT0.Add(5*time.Minute))
		r.Add([]string{"local-long"}, authT0.Add(3*time.Hour))
		for _, id := range []string{short.ID, long.ID, "local-short", "local-long"} {
			if !r.Revoked(id) {
				t.Fatalf("%s not revoked after Load and Add", id)
			}
		}

		runRevocations(t, r)
		clock.Set(authT0.Add(30 * time.Minute))
		if _, ok := eventually(time.Second, func() bool { return !r.Revoked(short.ID) && !r.Revoked("local-short") }); !ok {
			t.Errorf("expired entries kept: %s %v, local-short %v", short.ID, r.Revoked(short.ID), r.Revoked("local-short"))
		}
		if !r.Revoked(long.ID) || !r.Revoked("local-long") {
			t.Errorf("unexpired entries dropped: %v, %v", r.Revoked(long.ID), r.Revoked("local-long"))
		}

		// A fresh cache never loads what has expired.
		fresh := auth.NewRevocations(db, pollInterval, clock.Now, discardLogger)
		if err := fresh.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if fresh.Revoked(short.ID) || !fresh.Revoked(long.ID) {
			t.Errorf("fresh Load: short %v (want false), long %v (want true)", fresh.Revoked(short.ID), fresh.Revoked(long.ID))
		}
	})
}

func TestRevocationsRunStops(t *testing.T) {
	t.Run("Cancelled", func(t *testing.T) {
		db := storetest.Open(t, storetest.SQLite, time.Now)
		r := auth.NewRevocations(db, pollInterval, time.Now, discardLogger)
		stop := runRevocations(t, r)
		time.Sleep(2 * pollInterval)
		stop() // fails the test unless Run returns within 1s
	})
	t.Run("CancelledBeforeStart", func(t *testing.T) {
		db := storetest.Open(t, storetest.SQLite, time.Now)
		r := auth.NewRevocations(db, time.Hour, time.Now, discardLogger)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan struct{})
		go func() { defer close(done); r.Run(ctx) }()
		select {
		case <-done:
		case <-time.After(time.Second):
			t.Fatal("Run with a cancelled context did not return")
		}
	})
	t.Run("PollErrorsLoggedAndRetried", func(t *testing.T) {
		db := storetest.Open(t, storetest.SQLite, time.Now)
		var mu sync.Mutex
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return buf.Write(p)
		}), nil))
		r := auth.NewRevocations(db, pollInterval, time.Now, logger)
		if err := r.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		_ = db.Close() // every poll now fails
		stop := runRevocations(t, r)
		warned := func() int {
			mu.Lock()
			defer mu.Unlock()
			return strings.Count(buf.String(), "poll failed")
		}
		if _, ok := eventually(2*time.Second, func() bool { return warned() >= 2 }); !ok {
			t.Errorf("failed polls logged %d times, want a warning each, and Run to go on", warned())
		}
		stop()
	})
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
