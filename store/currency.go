package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.CurrencyService = (*DB)(nil)

var errCurrencyNotFound = model.Errorf(model.ENOTFOUND, "Currency not found")

// FindCurrencies returns the page of the currencies ordered by code, and
// the total count.
func (db *DB) FindCurrencies(ctx context.Context, page model.CodePage) ([]*model.Currency, int, error) {
	total, err := db.bun.NewSelect().Model((*currencyRow)(nil)).Count(ctx)
	if err != nil {
		return nil, 0, wrap("count currencies", err)
	}
	var rows []*currencyRow
	if err := scanPage(ctx, db.bun.NewSelect().Model(&rows), &rows, "c.code", page); err != nil {
		return nil, 0, wrap("find currencies", err)
	}
	return convertRows(rows, toCurrency), int(total), nil
}

// FindCurrencyByCode returns the currency with the code, or ENOTFOUND.
func (db *DB) FindCurrencyByCode(ctx context.Context, code string) (*model.Currency, error) {
	row, err := findCurrency(ctx, db.bun, code)
	if err != nil {
		return nil, err
	}
	return toCurrency(row), nil
}

// FindCurrenciesByCodes returns the currencies with the codes that exist, in
// any order.
func (db *DB) FindCurrenciesByCodes(ctx context.Context, codes []string) ([]*model.Currency, error) {
	rows, err := findCurrenciesWhere(ctx, db.bun, "c.code IN (?)", codes)
	return convertRows(rows, toCurrency), err
}

// FindCurrenciesByIDs returns the currencies with the ids that exist, in any
// order: one statement for any number of ids.
func (db *DB) FindCurrenciesByIDs(ctx context.Context, ids []int64) ([]*model.Currency, error) {
	rows, err := findCurrenciesWhere(ctx, db.bun, "c.id IN (?)", ids)
	return convertRows(rows, toCurrency), err
}

// CreateCurrency inserts c and sets its id and timestamps. It returns
// ECONFLICT when the code is taken.
func (db *DB) CreateCurrency(ctx context.Context, c *model.Currency) error {
	now := db.now().UTC()
	row := &currencyRow{Code: c.Code, Name: c.Name, Sign: c.Sign, CreatedAt: now, UpdatedAt: now}
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return translate("create currency", err, nil,
				model.Errorf(model.ECONFLICT, "Currency with code %s already exists", c.Code),
				model.Errorf(model.EINVALID, "Invalid currency"))
		}
		return notifyCatalog(ctx, tx)
	})
	if err != nil {
		return err
	}
	db.catalogChanged()
	*c = *toCurrency(row)
	return nil
}

// UpdateCurrency changes the name and/or sign of the currency with the code.
// It returns ENOTFOUND.
func (db *DB) UpdateCurrency(ctx context.Context, code string, upd model.CurrencyUpdate) (*model.Currency, error) {
	var row *currencyRow
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if row, err = findCurrency(ctx, tx, code); err != nil {
			return err
		}
		if upd.Name == nil && upd.Sign == nil {
			return nil
		}
		if upd.Name != nil {
			row.Name = *upd.Name
		}
		if upd.Sign != nil {
			row.Sign = *upd.Sign
		}
		row.UpdatedAt = db.now().UTC()
		_, err = tx.NewUpdate().Model(row).Column("name", "sign", "updated_at").WherePK().Exec(ctx)
		if err != nil {
			return translate("update currency", err, nil, nil, model.Errorf(model.EINVALID, "Invalid currency"))
		}
		return notifyCatalog(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	db.catalogChanged()
	return toCurrency(row), nil
}

// DeleteCurrency deletes the currency with the code and, by cascade, every
// rate that uses it. It returns the currency and the deleted rates, or
// ENOTFOUND.
func (db *DB) DeleteCurrency(ctx context.Context, code string) (*model.Currency, []*model.ExchangeRate, error) {
	var (
		row   *currencyRow
		rates []*rateRow
	)
	err := db.changeTx(ctx, func(ctx context.Context, tx bun.Tx) ([]model.RateChange, error) {
		var err error
		if row, err = findCurrency(ctx, tx, code); err != nil {
			return nil, err
		}
		err = selectRates(tx, &rates).Where("r.base_id = ? OR r.target_id = ?", row.ID, row.ID).OrderExpr("r.id").Scan(ctx)
		if err != nil {
			return nil, wrap("find rates of currency", err)
		}
		if _, err = tx.NewDelete().Model(row).WherePK().Exec(ctx); err != nil {
			return nil, wrap("delete currency", err)
		}
		if err := notifyCatalog(ctx, tx); err != nil {
			return nil, err
		}
		// The cascade deleted the rates: subscribers hear of each.
		changes := make([]model.RateChange, 0, len(rates))
		for _, r := range rates {
			c, err := db.recordChange(ctx, tx, model.RateDeleted, model.Pair{Base: r.BaseCode, Target: r.TargetCode}, nil, &r.Rate.Decimal)
			if err != nil {
				return nil, err
			}
			changes = append(changes, c)
		}
		return changes, nil
	})
	if err != nil {
		return nil, nil, err
	}
	db.catalogChanged()
	return toCurrency(row), convertRows(rates, toExchangeRate), nil
}

func findCurrency(ctx context.Context, db bun.IDB, code string) (*currencyRow, error) {
	row := new(currencyRow)
	if err := db.NewSelect().Model(row).Where("c.code = ?", code).Limit(1).Scan(ctx); err != nil {
		return nil, translate("find currency", err, errCurrencyNotFound, nil, nil)
	}
	return row, nil
}

func findCurrenciesWhere(ctx context.Context, db bun.IDB, where string, list any) ([]*currencyRow, error) {
	var rows []*currencyRow
	if err := db.NewSelect().Model(&rows).Where(where, bun.List(list)).Scan(ctx); err != nil {
		return nil, wrap("find currencies", err)
	}
	return rows, nil
}
