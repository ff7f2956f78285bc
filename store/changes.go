package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

// The change log: every rate change, numbered per pair and written in the
// transaction that makes it, at a position (its id) that increases in
// commit order; read back by subscribers that resume from a cursor or
// catch up after a lost connection, and for snapshots.

var (
	_ model.ChangeFeed = (*DB)(nil)
	_ model.ChangeLog  = (*DB)(nil)
)

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

// changeLogLock is the PostgreSQL advisory lock that every transaction
// writing rate changes takes first and holds until it ends: the log's ids
// are then taken, and committed, in one order, so a position in the log
// means "every change up to here" on every instance.
const changeLogLock = 7_338_001

// changeTx runs fn, which writes rate changes, in a transaction that
// holds the change log's lock from its first statement (before any row
// lock, so that it cannot deadlock), then hands the changes fn returns to
// this process's followers once they are committed.
func (db *DB) changeTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) ([]model.RateChange, error)) error {
	defer db.lockChanges()()
	var changes []model.RateChange
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if onPG(tx) {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", changeLogLock); err != nil {
				return wrap("lock change log", err)
			}
		}
		var err error
		changes, err = fn(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	db.committed(changes...)
	return nil
}

// recordChange numbers a change of the pair and writes it to the log, in
// the caller's changeTx; on PostgreSQL it also queues the NOTIFY, which
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
	if onPG(tx) {
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

// recorded returns one recorded change as changeTx wants it.
func recorded(c model.RateChange, err error) ([]model.RateChange, error) {
	if err != nil {
		return nil, err
	}
	return []model.RateChange{c}, nil
}

// horizonSetting is the settings key of the change log's horizon: the
// last position pruned. Every change after it is still logged.
const horizonSetting = "rate_changes_horizon"

// PruneChanges deletes the logged changes up to the last one made before
// before, and moves the log's horizon there: a cursor older than the
// horizon is refused (ErrCursorExpired). It returns how many it deleted.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var upTo int64
		if err := tx.NewSelect().Model((*changeRow)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Where("at < ?", before.UTC()).Scan(ctx, &upTo); err != nil {
			return wrap("prune changes", err)
		}
		if upTo == 0 {
			return nil
		}
		res, err := tx.NewDelete().Model((*changeRow)(nil)).Where("id <= ?", upTo).Exec(ctx)
		if err != nil {
			return wrap("prune changes", err)
		}
		n, _ = res.RowsAffected()
		row := &settingRow{Key: horizonSetting, Value: strconv.FormatInt(upTo, 10), CreatedAt: db.now().UTC()}
		_, err = tx.NewInsert().Model(row).On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx)
		return wrap("move change log horizon", err)
	})
	return n, err
}

// ChangesAfter implements model.ChangeLog: the changes after position that
// the filter selects, in order, at most limit. A position before the
// horizon returns ErrCursorExpired, one past the last change logged
// ErrCursorUnknown.
func (db *DB) ChangesAfter(ctx context.Context, position int64, f model.RateFilter, limit int) ([]model.RateChange, error) {
	var bounds struct {
		Horizon string `bun:"horizon"`
		Head    int64  `bun:"head"`
	}
	err := db.bun.NewSelect().
		ColumnExpr("COALESCE((SELECT value FROM settings WHERE key = ?), ?) AS horizon", horizonSetting, "0").
		ColumnExpr("(SELECT COALESCE(MAX(id), 0) FROM rate_changes) AS head").
		Scan(ctx, &bounds)
	if err != nil {
		return nil, wrap("change log bounds", err)
	}
	horizon, _ := strconv.ParseInt(bounds.Horizon, 10, 64)
	switch {
	case position < horizon:
		return nil, model.ErrCursorExpired
	case position > bounds.Head && position > horizon:
		return nil, model.ErrCursorUnknown
	case position == bounds.Head:
		return nil, nil
	}
	var rows []*changeRow
	q := db.bun.NewSelect().Model(&rows).Where("rc.id > ?", position).OrderExpr("rc.id").Limit(int64(limit))
	if f.BaseCode != "" {
		q = q.Where("rc.base_code = ?", f.BaseCode)
	}
	if f.TargetCode != "" {
		q = q.Where("rc.target_code = ?", f.TargetCode)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, wrap("read change log", err)
	}
	out := make([]model.RateChange, len(rows))
	for i, r := range rows {
		if out[i], err = toChange(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RateSnapshot implements model.ChangeLog: the current stored rates
// matching the filter as snapshot changes, with the current sequence
// number of each pair, and the log position they are current at, all read
// in one transaction (repeatable read on PostgreSQL).
func (db *DB) RateSnapshot(ctx context.Context, f model.RateFilter) ([]model.RateChange, int64, error) {
	var (
		rows     []*rateRow
		position int64
		seqs     []struct {
			Base   string `bun:"base_code"`
			Target string `bun:"target_code"`
			Seq    int64  `bun:"seq"`
		}
	)
	var opts *sql.TxOptions
	if db.isPG() {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	err := db.bun.RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model((*changeRow)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &position); err != nil {
			return wrap("snapshot position", err)
		}
		if err := filterRates(selectRates(tx, &rows), f).OrderExpr("r.id").Limit(10000).Scan(ctx); err != nil {
			return wrap("snapshot", err)
		}
		err := tx.NewSelect().Table("pair_sequences").Column("base_code", "target_code", "seq").Scan(ctx, &seqs)
		return wrap("snapshot sequences", err)
	})
	if err != nil {
		return nil, 0, err
	}
	seqOf := make(map[model.Pair]int64, len(seqs))
	for _, s := range seqs {
		seqOf[model.Pair{Base: s.Base, Target: s.Target}] = s.Seq
	}
	out := make([]model.RateChange, len(rows))
	for i, r := range rows {
		rate := r.Rate.Decimal
		p := model.Pair{Base: r.BaseCode, Target: r.TargetCode}
		out[i] = model.RateChange{ID: position, Kind: model.RateCreated, Pair: p, Rate: &rate, Seq: seqOf[p], At: r.UpdatedAt.UTC(), Snapshot: true}
	}
	return out, position, nil
}
