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
	ID       int64 // the position in the change log: increases in commit order
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

// ChangeFeed delivers every committed rate change, once, in commit order,
// to sink, until ctx is done. It calls resync once it hears changes, and
// again after each interruption (a lost database connection) once it hears
// them again: the changes committed before that are in the ChangeLog, not
// delivered, and a subscriber that went live earlier reads them there.
type ChangeFeed interface {
	FollowChanges(ctx context.Context, sink func(RateChange), resync func()) error
}

// ChangeLog is the log of committed rate changes. Positions (RateChange.ID)
// increase in commit order, on every instance, so "every change after
// position p" has one answer wherever it is asked.
type ChangeLog interface {
	// ChangesAfter returns, in order, at most limit logged changes after
	// position that the filter selects. It returns EINVALID when the log
	// no longer keeps every change after position (ErrCursorExpired) or
	// never had it (ErrCursorUnknown).
	ChangesAfter(ctx context.Context, position int64, f RateFilter, limit int) ([]RateChange, error)
	// RateSnapshot returns the current rates matching the filter as
	// snapshot changes, each with its pair's current sequence number, and
	// the log position they are current at: where a subscription's
	// includeCurrent starts.
	RateSnapshot(ctx context.Context, f RateFilter) ([]RateChange, int64, error)
}

// ErrCursorExpired refuses a change log position older than the log keeps.
var ErrCursorExpired = Invalid("after", "The cursor is older than the change log keeps: subscribe again with includeCurrent")

// ErrCursorUnknown refuses a change log position the log never had.
var ErrCursorUnknown = Invalid("after", "The cursor is not a position of the change log")
