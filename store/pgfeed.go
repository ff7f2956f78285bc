package store

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fxgraph/gateway/model"
)

// The PostgreSQL feed: a LISTEN connection per follower, reconnecting with
// a short back-off. Each time it is LISTENing, the first time included, it
// says so (resync), and each subscriber reads what it missed from the
// change log: a subscriber may have gone live before the listener was, at
// start-up as after an outage.

func (db *DB) listen(ctx context.Context, sink func(model.RateChange), resync func()) error {
	var last int64
	if err := db.bun.NewSelect().Model((*changeRow)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &last); err != nil {
		return wrap("last change", err)
	}
	deliver := func(c model.RateChange) {
		if c.ID > last { // notifications come in commit order, which is id order
			last = c.ID
			sink(c)
		}
	}
	db.reconnecting(ctx, "change listener", func(connected func()) error {
		return db.listenOnce(ctx, deliver, func() {
			connected()
			resync()
		})
	})
	return nil
}

// reconnecting runs listen until ctx is done, and again after each failure,
// waiting a back-off that doubles from 50 ms up to 1 s, each wait drawn at
// random from its upper half (so that instances do not knock together),
// and starts over whenever listen says it connected. A database back up
// is heard again within about a second.
func (db *DB) reconnecting(ctx context.Context, what string, listen func(connected func()) error) {
	const first, most = 50 * time.Millisecond, time.Second
	backoff := first
	for ctx.Err() == nil {
		err := listen(func() { backoff = first })
		if ctx.Err() != nil {
			return
		}
		db.reconnects.Add(1)
		wait := backoff/2 + rand.N(backoff/2+1)
		db.logger.Warn("store: "+what+" lost its connection; reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, most)
	}
}

// listenOnce connects and LISTENs, says so, then delivers notifications
// until the connection fails.
func (db *DB) listenOnce(ctx context.Context, deliver func(model.RateChange), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pgConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
		return err
	}
	// Listening: whatever commits from now on is notified; whatever
	// committed while we were away is in the log, for each subscriber to
	// read at its own pace (resync).
	connected()
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
