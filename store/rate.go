package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.ExchangeRateService = (*DB)(nil)

var errRateNotFound = model.Errorf(model.ENOTFOUND, "Exchange rate not found")

// selectRates selects rates with the codes of their two currencies.
func selectRates(db bun.IDB, rows *[]*rateRow) *bun.SelectQuery {
	return db.NewSelect().Model(rows).
		ColumnExpr("r.*").
		ColumnExpr("b.code AS base_code").
		ColumnExpr("t.code AS target_code").
		Join("JOIN currencies AS b ON b.id = r.base_id").
		Join("JOIN currencies AS t ON t.id = r.target_id")
}

func filterRates(q *bun.SelectQuery, f model.RateFilter) *bun.SelectQuery {
	if f.BaseCode != "" {
		q = q.Where("b.code = ?", f.BaseCode)
	}
	if f.TargetCode != "" {
		q = q.Where("t.code = ?", f.TargetCode)
	}
	return q
}

// FindExchangeRates returns the page of the rates matching the filter
// ordered by id, and the total count of matching rates: two statements
// whatever the page size.
func (db *DB) FindExchangeRates(ctx context.Context, f model.RateFilter, page model.Page) ([]*model.ExchangeRate, int, error) {
	var rows []*rateRow
	total, err := filterRates(selectRates(db.bun, &rows), f).Count(ctx)
	if err != nil {
		return nil, 0, wrap("count rates", err)
	}
	if err := scanPage(ctx, filterRates(selectRates(db.bun, &rows), f), &rows, "r.id", page); err != nil {
		return nil, 0, wrap("find rates", err)
	}
	return convertRows(rows, toExchangeRate), int(total), nil
}

// FindExchangeRate returns the stored rate of the pair, or ENOTFOUND.
func (db *DB) FindExchangeRate(ctx context.Context, pair model.Pair) (*model.ExchangeRate, error) {
	row, err := findRate(ctx, db.bun, pair, false)
	if err != nil {
		return nil, err
	}
	return toExchangeRate(row), nil
}

// FindRatesTouching returns every stored rate whose base or target is one of
// the codes, in one statement.
func (db *DB) FindRatesTouching(ctx context.Context, codes ...string) ([]*model.ExchangeRate, error) {
	var rows []*rateRow
	err := selectRates(db.bun, &rows).
		Where("b.code IN (?) OR t.code IN (?)", bun.List(codes), bun.List(codes)).
		OrderExpr("r.id").Scan(ctx)
	if err != nil {
		return nil, wrap("find rates touching", err)
	}
	return convertRows(rows, toExchangeRate), nil
}

// CreateExchangeRate stores the rate of the pair. It returns ENOTFOUND when a
// currency is unknown and ECONFLICT when the pair is stored already.
func (db *DB) CreateExchangeRate(ctx context.Context, pair model.Pair, rate model.Decimal) (*model.ExchangeRate, error) {
	if err := pair.Validate(); err != nil {
		return nil, err
	}
	conflict := model.Errorf(model.ECONFLICT, "Exchange rate %s already exists", pair)
	var row *rateRow
	err := db.changeTx(ctx, func(ctx context.Context, tx bun.Tx) ([]model.RateChange, error) {
		currencies, err := findCurrenciesWhere(ctx, tx, "c.code IN (?)", []string{pair.Base, pair.Target})
		if err != nil {
			return nil, err
		}
		ids := make(map[string]int64, 2)
		for _, c := range currencies {
			ids[c.Code] = c.ID
		}
		for _, code := range []string{pair.Base, pair.Target} {
			if ids[code] == 0 {
				return nil, model.Errorf(model.ENOTFOUND, "Currency not found: %s", code)
			}
		}
		now := db.now().UTC()
		row = &rateRow{BaseID: ids[pair.Base], TargetID: ids[pair.Target], Rate: exactDecimal{rate}, CreatedAt: now, UpdatedAt: now,
			BaseCode: pair.Base, TargetCode: pair.Target}
		_, err = tx.NewInsert().Model(row).Returning("id").Exec(ctx)
		if err != nil {
			return nil, translate("create rate", err, errCurrencyNotFound, conflict, model.Invalid("rate", "rate must be greater than zero"))
		}
		return recorded(db.recordChange(ctx, tx, model.RateCreated, pair, &rate, nil))
	})
	if err != nil {
		return nil, err
	}
	return toExchangeRate(row), nil
}

// UpdateExchangeRate sets the rate of a stored pair and returns the rate
// before and after. It returns ENOTFOUND when the pair is not stored.
func (db *DB) UpdateExchangeRate(ctx context.Context, pair model.Pair, rate model.Decimal) (prev, cur *model.ExchangeRate, err error) {
	err = db.changeTx(ctx, func(ctx context.Context, tx bun.Tx) ([]model.RateChange, error) {
		row, err := findRate(ctx, tx, pair, true)
		if err != nil {
			return nil, err
		}
		prev = toExchangeRate(row)
		row.Rate, row.UpdatedAt = exactDecimal{rate}, db.now().UTC()
		_, err = tx.NewUpdate().Model(row).Column("rate", "updated_at").WherePK().Exec(ctx)
		if err != nil {
			return nil, translate("update rate", err, nil, nil, model.Invalid("rate", "rate must be greater than zero"))
		}
		cur = toExchangeRate(row)
		return recorded(db.recordChange(ctx, tx, model.RateUpdated, pair, &cur.Rate, &prev.Rate))
	})
	if err != nil {
		return nil, nil, err
	}
	return prev, cur, nil
}

// DeleteExchangeRate deletes the stored rate of the pair and returns it, or
// ENOTFOUND.
func (db *DB) DeleteExchangeRate(ctx context.Context, pair model.Pair) (*model.ExchangeRate, error) {
	var row *rateRow
	err := db.changeTx(ctx, func(ctx context.Context, tx bun.Tx) ([]model.RateChange, error) {
		var err error
		if row, err = findRate(ctx, tx, pair, true); err != nil {
			return nil, err
		}
		if _, err = tx.NewDelete().Model(row).WherePK().Exec(ctx); err != nil {
			return nil, wrap("delete rate", err)
		}
		return recorded(db.recordChange(ctx, tx, model.RateDeleted, pair, nil, &row.Rate.Decimal))
	})
	if err != nil {
		return nil, err
	}
	return toExchangeRate(row), nil
}

// findRate reads the stored rate of the pair; forUpdate locks its row on
// PostgreSQL (SQLite transactions here take the write lock when they begin).
func findRate(ctx context.Context, db bun.IDB, pair model.Pair, forUpdate bool) (*rateRow, error) {
	var rows []*rateRow
	q := selectRates(db, &rows).Where("b.code = ? AND t.code = ?", pair.Base, pair.Target).Limit(1)
	if forUpdate {
		q = lockForUpdate(db, q, "r")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, wrap("find rate", err)
	}
	if len(rows) == 0 {
		return nil, errRateNotFound
	}
	return rows[0], nil
}
