package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/fxgraph/gateway/model"
)

var _ model.ChangeFeed = (*DB)(nil)

// changeChannel is the PostgreSQL NOTIFY channel of rate changes.
const changeChannel = "fx_rate_changes"

// changeRow is a row of rate_changes, and in JSON the NOTIFY payload: the
// change itself, well under PostgreSQL's 8,000-byte limit (about 200 bytes).
type changeRow struct {
	bun.BaseModel `bun:"table:rate_changes,alias:rc" json:"-"`

	ID       int64     `bun:"id,pk,autoincrement" json:"id"`
	Kind     string    `bun:"kind,notnull" json:"k"`
	Base     string    `bun:"base_code,notnull" json:"b"`
	Target   string    `bun:"target_code,notnull" json:"t"`
	Rate     *string   `bun:"rate" json:"r,omitempty"`
	Previous *string   `bun:"previous_rate" json:"p,omitempty"`
	Seq      int64     `bun:"seq,notnull" json:"s"`
	At       time.Time `bun:"at,notnull" json:"at"`
}

func decimalText(d *model.Decimal) *string {
	if d == nil {
		return nil
	}
	s := model.DecimalString(*d)
	return &s
}

func toChange(r *changeRow) (model.RateChange, error) {
	c := model.RateChange{ID: r.ID, Kind: model.RateChangeKind(r.Kind), Pair: model.Pair{Base: r.Base, Target: r.Target},
		Seq: r.Seq, At: r.At.UTC()}
	for _, f := range []struct {
		s   *string
		dst **model.Decimal
	}{{r.Rate, &c.Rate}, {r.Previous, &c.Previous}} {
		if f.s != nil {
			d, err := decimal.NewFromString(*f.s)
			if err != nil {
				return c, fmt.Errorf("store: change %d: %w", r.ID, err)
			}
			*f.dst = &d
		}
	}
	return c, nil
}

// recordChange numbers a change of the pair and writes it to the log, in
// the caller's transaction; on PostgreSQL it also queues the NOTIFY, which
// goes out if and only if the transaction commits.
func (db *DB) recordChange(ctx context.Context, tx bun.Tx, kind model.RateChangeKind, pair model.Pair, rate, prev *model.Decimal) (model.RateChange, error) {
	var seq int64
	err := tx.NewRaw(`INSERT INTO pair_sequences (base_code, target_code, seq) VALUES (?, ?, 1)
		ON CONFLICT (base_code, target_code) DO UPDATE SET seq = pair_sequences.seq + 1 RETURNING seq`,
		pair.Base, pair.Target).Scan(ctx, &seq)
	if err != nil {
		return model.RateChange{}, wrap("number change", err)
	}
	row := &changeRow{Kind: string(kind), Base: pair.Base, Target: pair.Target, Rate: decimalText(rate),
		Previous: decimalText(prev), Seq: seq, At: db.now().UTC()}
	if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return model.RateChange{}, wrap("record change", err)
	}
	if tx.Dialect().Name() == dialect.PG {
		payload, err := json.Marshal(row)
		if err != nil {
			return model.RateChange{}, fmt.Errorf("store: notification: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", changeChannel, string(payload)); err != nil {
			return model.RateChange{}, wrap("notify change", err)
		}
	}
	return toChange(row)
}

// committed hands changes that just committed to this process's followers:
// on SQLite they are the whole feed; on PostgreSQL the listener delivers
// them (to every instance alike), so nothing happens here.
func (db *DB) committed(changes ...model.RateChange) {
	if db.Dialect() == "pg" || len(changes) == 0 {
		return
	}
	db.local.mu.Lock()
	for _, c := range changes {
		for _, sink := range db.local.sinks {
			sink(c)
		}
	}
	db.local.mu.Unlock()
	db.catalogChanged()
}

// localFeed is the SQLite feed: the followers of this process.
type localFeed struct {
	mu      sync.Mutex
	next    int
	sinks   map[int]func(model.RateChange)
	catalog map[int]func() // FollowCatalog's followers

	// writes is held by a rate write from before its transaction until its
	// changes are delivered, so that two writes of one pair are delivered
	// in commit order. SQLite has one writer at a time anyway.
	writes sync.Mutex
}

// lockChanges orders the delivery of local changes like their commits: a
// rate write calls it first and the returned function once it has called
// committed. On PostgreSQL the listener sees commit order itself.
func (db *DB) lockChanges() func() {
	if db.Dialect() == "pg" {
		return func() {}
	}
	db.local.writes.Lock()
	return db.local.writes.Unlock
}

// FollowChanges delivers every committed rate change to sink until ctx is
// done. On SQLite (one instance) it hears this process's writes. On
// PostgreSQL it LISTENs on a dedicated connection, reconnecting with
// back-off; after each (re)connection it reads the log for changes it may
// have missed, and delivers each change once whatever the path. sink must
// not block.
func (db *DB) FollowChanges(ctx context.Context, sink func(model.RateChange)) error {
	if db.Dialect() != "pg" {
		db.local.mu.Lock()
		id := db.local.next
		db.local.next++
		db.local.sinks[id] = sink
		db.local.mu.Unlock()
		<-ctx.Done()
		db.local.mu.Lock()
		delete(db.local.sinks, id)
		db.local.mu.Unlock()
		return nil
	}
	return db.listen(ctx, sink)
}

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

// PruneChanges deletes logged changes older than before; the log only
// needs to cover a reconnection.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.bun.NewDelete().Model((*changeRow)(nil)).Where("at < ?", before.UTC()).Exec(ctx)
	if err != nil {
		return 0, wrap("prune changes", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RateSnapshot returns the current stored rates matching the filter as
// snapshot changes, with the current sequence number of each pair.
func (db *DB) RateSnapshot(ctx context.Context, f model.RateFilter) ([]model.RateChange, error) {
	var rows []*rateRow
	if err := filterRates(selectRates(db.bun, &rows), f).OrderExpr("r.id").Limit(10000).Scan(ctx); err != nil {
		return nil, wrap("snapshot", err)
	}
	var seqs []struct {
		Base   string `bun:"base_code"`
		Target string `bun:"target_code"`
		Seq    int64  `bun:"seq"`
	}
	if err := db.bun.NewSelect().Table("pair_sequences").Column("base_code", "target_code", "seq").Scan(ctx, &seqs); err != nil {
		return nil, wrap("snapshot sequences", err)
	}
	seqOf := make(map[model.Pair]int64, len(seqs))
	for _, s := range seqs {
		seqOf[model.Pair{Base: s.Base, Target: s.Target}] = s.Seq
	}
	out := make([]model.RateChange, len(rows))
	for i, r := range rows {
		rate := r.Rate.Decimal
		p := model.Pair{Base: r.BaseCode, Target: r.TargetCode}
		out[i] = model.RateChange{Kind: model.RateCreated, Pair: p, Rate: &rate, Seq: seqOf[p], At: r.UpdatedAt.UTC(), Snapshot: true}
	}
	return out, nil
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
