package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// settingRow is a row of settings.
type settingRow struct {
	bun.BaseModel `bun:"table:settings,alias:s"`

	Key       string    `bun:"key,pk"`
	Value     string    `bun:"value,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Setting returns the value stored under key, storing value() first when
// there is none. Instances that race agree on the first value stored.
func (db *DB) Setting(ctx context.Context, key string, value func() (string, error)) (string, error) {
	row := new(settingRow)
	err := db.bun.NewSelect().Model(row).Where("s.key = ?", key).Scan(ctx)
	if err == nil {
		return row.Value, nil
	}
	v, err := value()
	if err != nil {
		return "", err
	}
	row = &settingRow{Key: key, Value: v, CreatedAt: db.now().UTC()}
	if _, err := db.bun.NewInsert().Model(row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return "", wrap("store setting", err)
	}
	if err := db.bun.NewSelect().Model(row).Where("s.key = ?", key).Scan(ctx); err != nil {
		return "", wrap("read setting", err)
	}
	return row.Value, nil
}
