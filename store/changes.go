package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

// The change log: every rate change, numbered per pair and written in the
// transaction that makes it; read back by the PostgreSQL feed after a
// reconnection, and for snapshots.

var (
	_ model.ChangeFeed      = (*DB)(nil)
	_ model.RateSnapshotter = (*DB)(nil)
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
