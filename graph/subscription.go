package graph

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/fxgraph/gateway/graph/gorillaws"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/live"
	"github.com/fxgraph/gateway/model"
)

// rateChangedPermission decides who may subscribe to rate changes, alone
// or sharing an execution.
var rateChangedPermission = model.NeedScope(model.ScopeRateRead)

// changeCursor is the kind of a RateChange cursor: a change log position.
const changeCursor = "change:"

// catchUpPage is how many logged changes a subscriber reads at a time
// when it catches up from the change log.
const catchUpPage = 500

// toGraphChange converts a rate change for subscribers.
func toGraphChange(c model.RateChange) *gqlmodel.RateChange {
	return &gqlmodel.RateChange{
		Kind: c.Kind, Pair: c.Pair.String(), BaseCode: c.Pair.Base, TargetCode: c.Pair.Target,
		Rate: c.Rate, PreviousRate: c.Previous, Sequence: int(c.Seq), At: c.At, Snapshot: c.Snapshot,
		Cursor: encodeCursor(changeCursor, strconv.FormatInt(c.ID, 10)), Position: c.ID,
	}
}

// decodeChangeCursor returns the change log position of a RateChange
// cursor, or EINVALID.
func decodeChangeCursor(cursor string) (int64, error) {
	key, err := decodeCursor("after", changeCursor, &cursor)
	if err != nil {
		return 0, model.Invalid("after", "after is not a RateChange cursor")
	}
	pos, err := strconv.ParseInt(key, 10, 64)
	if err != nil || pos < 0 {
		return 0, model.Invalid("after", "after is not a RateChange cursor")
	}
	return pos, nil
}

// rateChanges starts a stream of the changes the filter selects: with
// includeCurrent, the snapshot first; with after, every logged change
// after that cursor first; then live changes. Where a stream starts is a
// position in the change log, and it goes on from there without a gap or
// a duplicate (changeStream). The channel work runs here, outside the
// resolvers. It returns EINVALID for a bad filter or cursor, or both
// includeCurrent and after.
func (r *Resolver) rateChanges(ctx context.Context, base, target *string, includeCurrent bool, after *string) (<-chan *gqlmodel.RateChange, error) {
	filter, err := parseRateFilter(base, target)
	if err != nil {
		return nil, err
	}
	resume := after != nil
	if resume && includeCurrent {
		return nil, model.Invalid("after", "give includeCurrent or after, not both")
	}
	if ctx.Value(tailKey{}) != nil { // a shared execution: from now on
		resume, includeCurrent = false, false
	}
	fromNow := !resume && !includeCurrent // no prefix: live at once
	sub, head, err := r.Hub.Subscribe(filter, fromNow)
	if err != nil {
		return nil, model.Errorf(model.EINTERNAL, "The gateway is shutting down")
	}
	st := &changeStream{log: r.Changes, hub: r.Hub, sub: sub, filter: filter, pos: head, live: fromNow, logger: r.Logger,
		positions: gorillaws.PositionsFrom(ctx)}
	switch {
	case includeCurrent:
		st.first, st.pos, err = r.Changes.RateSnapshot(ctx, filter)
	case resume:
		if st.pos, err = decodeChangeCursor(*after); err == nil {
			// The first page, read now: a bad or expired cursor is the
			// subscription's error, not a silent end.
			st.first, err = r.Changes.ChangesAfter(ctx, st.pos, filter, catchUpPage)
		}
	}
	if err != nil {
		r.Hub.Unsubscribe(sub)
		return nil, err
	}
	if st.positions != nil {
		st.positions.Start(st.pos)
	}
	out := make(chan *gqlmodel.RateChange)
	go st.run(ctx, out)
	return out, nil
}

// changeStream is one subscriber's stream: it catches up from the change
// log at the subscriber's own pace (after a cursor or a snapshot, and after
// the feed missed changes), then goes live, and skips any change at or
// before its position, so there is no gap and no duplicate at a seam.
type changeStream struct {
	log    model.ChangeLog
	hub    *live.Hub
	sub    *live.Subscription
	filter model.RateFilter
	pos    int64              // every change the filter selects up to here was sent
	first  []model.RateChange // sent before anything else
	live   bool
	logger *slog.Logger
	// positions, when the transport asks, hears the position of each
	// change before it is sent, and when the stream goes live.
	positions *gorillaws.Positions
}

func (st *changeStream) run(ctx context.Context, out chan<- *gqlmodel.RateChange) {
	defer close(out)
	defer st.hub.Unsubscribe(st.sub)
	send := func(c model.RateChange) bool {
		if st.positions != nil {
			st.positions.Push(c.ID, c.Pair.String())
		}
		select {
		case out <- toGraphChange(c):
			if !c.Snapshot {
				st.pos = c.ID
			}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, c := range st.first {
		if !send(c) {
			return
		}
	}
	reported := false // the positions heard that the stream is live
	for {
		if !st.live && !st.catchUp(ctx, send) {
			return
		}
		if !reported && st.positions != nil {
			st.positions.Live()
		}
		reported = true
		changes, err := st.sub.Next(ctx)
		if errors.Is(err, live.ErrResync) {
			// The feed missed changes: read them from the log, as a
			// backlog the transport paces to each subscriber.
			st.live, reported = false, false
			if st.positions != nil {
				st.positions.CatchUp()
			}
			continue
		}
		if err != nil {
			if errors.Is(err, live.ErrTooSlow) {
				st.logger.Warn("subscription dropped: subscriber too slow")
			}
			return
		}
		for _, c := range changes {
			if c.ID > st.pos && !send(c) {
				return
			}
		}
	}
}

// catchUp reads the log from the stream's position until it is less than
// a page behind, goes live, and reads the log once more: what committed
// before going live is in the log, what commits after is queued too (and
// skipped, being at or before the position). It reports false when the
// stream ends.
func (st *changeStream) catchUp(ctx context.Context, send func(model.RateChange) bool) bool {
	wentLive := false
	for {
		changes, err := st.log.ChangesAfter(ctx, st.pos, st.filter, catchUpPage)
		if err != nil {
			if !st.retry(ctx, err) {
				return false
			}
			continue
		}
		for _, c := range changes {
			if !send(c) {
				return false
			}
		}
		switch {
		case len(changes) == catchUpPage:
			if wentLive {
				st.sub.CatchUp() // a page behind again: nothing to queue yet
				wentLive = false
			}
		case wentLive:
			st.live = true
			return true
		default:
			st.sub.GoLive()
			wentLive = true
		}
	}
}

// retry waits a moment after a failed read of the log, and reports
// whether to try again: not for a cursor the log no longer keeps (the
// subscriber fell that far behind), nor once ctx is done.
func (st *changeStream) retry(ctx context.Context, err error) bool {
	if model.ErrorCode(err) == model.EINVALID {
		st.logger.Warn("subscription ended: it fell behind the change log", "err", err)
		return false
	}
	st.logger.Warn("subscription: reading the change log failed; retrying", "err", err)
	select {
	case <-ctx.Done():
		return false
	case <-time.After(200 * time.Millisecond):
		return true
	}
}
