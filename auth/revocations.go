package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fxgraph/gateway/model"
)

// Revocations is the set of revoked, unexpired token ids, kept in memory and
// refreshed from the store every interval, so that checking a token costs
// no database round trip and a revocation made on any instance sharing the
// database is seen within one interval.
type Revocations struct {
	store    model.TokenService
	now      func() time.Time
	interval time.Duration
	logger   *slog.Logger

	mu      sync.RWMutex
	revoked map[string]time.Time // id → expiry
	since   time.Time            // start of the last successful poll
}

// pollOverlap re-reads a little of the past on each poll, for clocks of
// instances that disagree a little and transactions that commit late.
const pollOverlap = 10 * time.Second

// NewRevocations returns an empty cache; Load fills it, Run keeps it fresh.
func NewRevocations(store model.TokenService, interval time.Duration, now func() time.Time, logger *slog.Logger) *Revocations {
	return &Revocations{store: store, now: now, interval: interval, logger: logger, revoked: map[string]time.Time{}}
}

// Load reads every revoked, unexpired token: call it once before serving.
func (r *Revocations) Load(ctx context.Context) error {
	return r.poll(ctx, time.Time{})
}

// Run polls the store every interval until ctx is done.
func (r *Revocations) Run(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Refresh(ctx); err != nil && ctx.Err() == nil {
				r.logger.WarnContext(ctx, "revocations: poll failed; retrying", "err", err)
			}
		}
	}
}

// Refresh reads the revocations made since the last poll now. A write on
// this instance that revoked tokens in the store (a new login on a device,
// a reused refresh token, a disabled user, a category change) calls it, so
// that this instance refuses those tokens at once; the others see them at
// their next poll.
func (r *Revocations) Refresh(ctx context.Context) error {
	r.mu.RLock()
	since := r.since.Add(-pollOverlap)
	r.mu.RUnlock()
	return r.poll(ctx, since)
}

func (r *Revocations) poll(ctx context.Context, since time.Time) error {
	start := r.now()
	tokens, err := r.store.RevokedSince(ctx, since)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range tokens {
		r.revoked[t.ID] = t.ExpiresAt
	}
	for id, exp := range r.revoked {
		if !exp.After(start) {
			delete(r.revoked, id) // expired: refused by its exp claim anyway
		}
	}
	r.since = start
	return nil
}

// Add records revocations made by this instance at once.
func (r *Revocations) Add(ids []string, expiresAt time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		r.revoked[id] = expiresAt
	}
}

// Revoked reports whether the token id is revoked.
func (r *Revocations) Revoked(id string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.revoked[id]
	return ok
}

// Len returns how many revoked, unexpired tokens the cache holds.
func (r *Revocations) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.revoked)
}

// LastPoll returns when the last successful poll started (zero before the
// first).
func (r *Revocations) LastPoll() time.Time {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.since
}
