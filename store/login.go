package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.LoginFailureService = (*DB)(nil)

// loginFailureRow is a row of login_failures.
type loginFailureRow struct {
	bun.BaseModel `bun:"table:login_failures,alias:lf"`

	KeyHash     string    `bun:"key_hash,pk"`
	Failures    int       `bun:"failures,notnull"`
	WindowStart time.Time `bun:"window_start,notnull"`
}

func toLoginFailures(r *loginFailureRow) model.LoginFailures {
	return model.LoginFailures{Key: r.KeyHash, Count: r.Failures, WindowStart: r.WindowStart.UTC()}
}

// AddLoginFailures adds delta to each key's count in one transaction and
// returns the counts after it; a key whose window began more than window
// ago starts a new one. Concurrent attempts on any instance each count:
// the update locks the row.
func (db *DB) AddLoginFailures(ctx context.Context, window time.Duration, delta int, keys ...string) ([]model.LoginFailures, error) {
	now := db.now().UTC()
	expired := now.Add(-window)
	var rows []*loginFailureRow
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, k := range keys {
			if _, err := tx.NewInsert().Model(&loginFailureRow{KeyHash: k, WindowStart: now}).
				On("CONFLICT (key_hash) DO NOTHING").Exec(ctx); err != nil {
				return wrap("count login failure", err)
			}
			// Both SETs read the row as it was.
			if _, err := tx.NewUpdate().Model((*loginFailureRow)(nil)).
				Set("failures = CASE WHEN window_start <= ? THEN ? WHEN failures + ? < 0 THEN 0 ELSE failures + ? END", expired, max(delta, 0), delta, delta).
				Set("window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END", expired, now).
				Where("key_hash = ?", k).Exec(ctx); err != nil {
				return wrap("count login failure", err)
			}
		}
		err := tx.NewSelect().Model(&rows).Where("lf.key_hash IN (?)", bun.List(keys)).Scan(ctx)
		return wrap("count login failures", err)
	})
	if err != nil {
		return nil, err
	}
	out := make([]model.LoginFailures, len(rows))
	for i, r := range rows {
		out[i] = toLoginFailures(r)
	}
	return out, nil
}

// ClearLoginFailures forgets the keys' failures.
func (db *DB) ClearLoginFailures(ctx context.Context, keys ...string) error {
	_, err := db.bun.NewDelete().Model((*loginFailureRow)(nil)).Where("key_hash IN (?)", bun.List(keys)).Exec(ctx)
	return wrap("clear login failures", err)
}

// PruneLoginFailures deletes the counters whose window began before
// before, and returns how many.
func (db *DB) PruneLoginFailures(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.bun.NewDelete().Model((*loginFailureRow)(nil)).Where("window_start < ?", before.UTC()).Exec(ctx)
	if err != nil {
		return 0, wrap("prune login failures", err)
	}
	return res.RowsAffected()
}
