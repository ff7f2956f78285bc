package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fxgraph/gateway/model"
)

// The PostgreSQL feed: a LISTEN connection per follower, reconnecting with
// back-off and resynchronising from the change log, so that every instance
// hears every change once.

// resyncWindow is how far below the last change seen a resynchronisation
// reads again, for transactions that took their id before a later one but
// committed after it.
const resyncWindow = 1000

func (db *DB) listen(ctx context.Context, sink func(model.RateChange)) error {
	var last int64
	if err := db.bun.NewSelect().Model((*changeRow)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &last); err != nil {
		return wrap("last change", err)
	}
	seen := newSeenSet(4 * resyncWindow)
	// What committed before we started is history, not news: mark the
	// window's rows seen, so the first resynchronisation delivers only
	// changes that commit from now on (including late commits of
	// transactions in flight now).
	var old []int64
	if err := db.bun.NewSelect().Model((*changeRow)(nil)).Column("id").Where("rc.id > ?", last-resyncWindow).Scan(ctx, &old); err != nil {
		return wrap("recent changes", err)
	}
	for _, id := range old {
		seen.add(id)
	}
	deliver := func(c model.RateChange) {
		if seen.add(c.ID) {
			last = max(last, c.ID)
			sink(c)
		}
	}
	db.reconnecting(ctx, "change listener", func(connected func()) error {
		return db.listenOnce(ctx, &last, deliver, connected)
	})
	return nil
}

// reconnecting runs listen until ctx is done, and again after each failure,
// waiting a back-off that doubles up to 5 s and starts over whenever listen
// says it connected.
func (db *DB) reconnecting(ctx context.Context, what string, listen func(connected func()) error) {
	const first, most = 100 * time.Millisecond, 5 * time.Second
	backoff := first
	for ctx.Err() == nil {
		err := listen(func() { backoff = first })
		if ctx.Err() != nil {
			return
		}
		db.reconnects.Add(1)
		db.logger.Warn("store: "+what+" lost its connection; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, most)
	}
}

// listenOnce connects, LISTENs, resynchronises from the log, then delivers
// notifications until the connection fails.
func (db *DB) listenOnce(ctx context.Context, last *int64, deliver func(model.RateChange), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pgConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return err
	}
	connected()
	// Listening before reading the log: whatever commits from now on is
	// notified, whatever committed before is in the log.
	var rows []*changeRow
	if err := db.bun.NewSelect().Model(&rows).Where("rc.id > ?", *last-resyncWindow).OrderExpr("rc.id").Scan(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		c, err := toChange(r)
		if err != nil {
			return err
		}
		deliver(c)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var row changeRow
		if err := json.Unmarshal([]byte(n.Payload), &row); err != nil {
			db.logger.Error("store: bad change notification", "err", err)
			continue
		}
		c, err := toChange(&row)
		if err != nil {
			db.logger.Error("store: bad change notification", "err", err)
			continue
		}
		deliver(c)
	}
}

// seenSet remembers the last n ids delivered.
type seenSet struct {
	ids  map[int64]struct{}
	ring []int64
	next int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{ids: make(map[int64]struct{}, n), ring: make([]int64, n)}
}

// add records id and reports whether it is new.
func (s *seenSet) add(id int64) bool {
	if _, ok := s.ids[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != 0 {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = struct{}{}
	return true
}
