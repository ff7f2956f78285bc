package model

import (
	"context"
	"time"
)

// RateChangeKind says what happened to a stored rate.
type RateChangeKind string

// The kinds of rate changes.
const (
	RateCreated RateChangeKind = "CREATED"
	RateUpdated RateChangeKind = "UPDATED"
	RateDeleted RateChangeKind = "DELETED"
)

// RateChange is one committed change of a stored rate, as subscribers hear
// it. Seq increases by one with every change of the same pair, so a
// subscriber that sees a gap knows it missed (or was spared) changes.
type RateChange struct {
	ID       int64 // global, for deduplication
	Kind     RateChangeKind
	Pair     Pair
	Rate     *Decimal // nil when deleted
	Previous *Decimal // nil when created
	Seq      int64
	At       time.Time
	Snapshot bool // the current value sent on subscribe, not a change
}

// Matches reports whether the change is about a pair the filter
// selects.
func (f RateFilter) Matches(p Pair) bool {
	return (f.BaseCode == "" || f.BaseCode == p.Base) && (f.TargetCode == "" || f.TargetCode == p.Target)
}

// ChangeFeed delivers every committed rate change, once, in commit order
// per pair, to sink, until ctx is done. After an interruption (a lost
// database connection) it resynchronises from the store before going on.
type ChangeFeed interface {
	FollowChanges(ctx context.Context, sink func(RateChange)) error
}

// RateSnapshotter reads the current rates matching a filter as snapshot
// changes, each with its pair's current sequence number: where a
// subscription's includeCurrent starts.
type RateSnapshotter interface {
	RateSnapshot(ctx context.Context, f RateFilter) ([]RateChange, error)
}
