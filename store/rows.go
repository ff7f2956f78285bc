package store

import (
	"database/sql/driver"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

// currencyRow is a row of currencies.
type currencyRow struct {
	bun.BaseModel `bun:"table:currencies,alias:c"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Code      string    `bun:"code,notnull"`
	Name      string    `bun:"name,notnull"`
	Sign      string    `bun:"sign,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// rateRow is a row of exchange_rates, with the codes of its currencies when
// it was read through selectRates.
type rateRow struct {
	bun.BaseModel `bun:"table:exchange_rates,alias:r"`

	ID         int64        `bun:"id,pk,autoincrement"`
	BaseID     int64        `bun:"base_id,notnull"`
	TargetID   int64        `bun:"target_id,notnull"`
	Rate       exactDecimal `bun:"rate,notnull"`
	CreatedAt  time.Time    `bun:"created_at,notnull"`
	UpdatedAt  time.Time    `bun:"updated_at,notnull"`
	BaseCode   string       `bun:"base_code,scanonly"`
	TargetCode string       `bun:"target_code,scanonly"`
}

// exactDecimal is a decimal stored with its scale: "0.7620" stays "0.7620"
// (SQLite keeps the text as written; PostgreSQL's NUMERIC keeps the scale).
type exactDecimal struct{ decimal.Decimal }

// Value implements driver.Valuer.
func (d exactDecimal) Value() (driver.Value, error) { return model.DecimalString(d.Decimal), nil }

// Scan implements sql.Scanner.
func (d *exactDecimal) Scan(v any) error { return d.Decimal.Scan(v) }

// convertRows converts rows read from the store into model values.
func convertRows[R, M any](rows []*R, convert func(*R) *M) []*M {
	out := make([]*M, len(rows))
	for i, r := range rows {
		out[i] = convert(r)
	}
	return out
}

func toCurrency(r *currencyRow) *model.Currency {
	return &model.Currency{
		ID:        r.ID,
		Code:      r.Code,
		Name:      r.Name,
		Sign:      r.Sign,
		CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func toExchangeRate(r *rateRow) *model.ExchangeRate {
	return &model.ExchangeRate{
		ID:         r.ID,
		BaseID:     r.BaseID,
		TargetID:   r.TargetID,
		BaseCode:   r.BaseCode,
		TargetCode: r.TargetCode,
		Rate:       r.Rate.Decimal,
		CreatedAt:  r.CreatedAt.UTC(),
		UpdatedAt:  r.UpdatedAt.UTC(),
	}
}
