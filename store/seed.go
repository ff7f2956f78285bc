package store

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// demoCurrencies is the embedded default's demo set: a dozen real currencies.
var demoCurrencies = []currencyRow{
	{Code: "USD", Name: "United States Dollar", Sign: "$"},
	{Code: "EUR", Name: "Euro", Sign: "€"},
	{Code: "GBP", Name: "Pound Sterling", Sign: "£"},
	{Code: "JPY", Name: "Japanese Yen", Sign: "¥"},
	{Code: "CHF", Name: "Swiss Franc", Sign: "CHF"},
	{Code: "CAD", Name: "Canadian Dollar", Sign: "C$"},
	{Code: "AUD", Name: "Australian Dollar", Sign: "A$"},
	{Code: "CNY", Name: "Chinese Yuan Renminbi", Sign: "¥"},
	{Code: "SEK", Name: "Swedish Krona", Sign: "kr"},
	{Code: "NOK", Name: "Norwegian Krone", Sign: "kr"},
	{Code: "INR", Name: "Indian Rupee", Sign: "₹"},
	{Code: "BRL", Name: "Brazilian Real", Sign: "R$"},
}

// demoRates are indicative rates: USD against the others, and a few crosses
// stored in the direction markets quote them.
var demoRates = []struct{ base, target, rate string }{
	{"USD", "EUR", "0.8650"},
	{"USD", "GBP", "0.7610"},
	{"USD", "JPY", "156.40"},
	{"USD", "CHF", "0.8040"},
	{"USD", "CAD", "1.4050"},
	{"USD", "AUD", "1.5420"},
	{"USD", "CNY", "7.1150"},
	{"USD", "INR", "88.65"},
	{"USD", "BRL", "5.3300"},
	{"EUR", "SEK", "10.9500"},
	{"EUR", "NOK", "11.7200"},
	{"EUR", "GBP", "0.8800"},
}

// SeedDemo fills an empty store with the demo currencies and rates, in one
// transaction, and reports whether it did. A store that has any currency is
// left alone.
func (db *DB) SeedDemo(ctx context.Context) (bool, error) {
	seeded := false
	err := db.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := tx.NewSelect().Model((*currencyRow)(nil)).Count(ctx)
		if err != nil || n > 0 {
			return wrap("seed: count currencies", err)
		}
		now := db.now().UTC()
		rows := make([]currencyRow, len(demoCurrencies))
		ids := make(map[string]int64, len(rows))
		for i, c := range demoCurrencies {
			rows[i] = c
			rows[i].CreatedAt, rows[i].UpdatedAt = now, now
			if _, err := tx.NewInsert().Model(&rows[i]).Returning("id").Exec(ctx); err != nil {
				return wrap("seed: currency", err)
			}
			ids[c.Code] = rows[i].ID
		}
		rates := make([]rateRow, len(demoRates))
		for i, r := range demoRates {
			rates[i] = rateRow{BaseID: ids[r.base], TargetID: ids[r.target], Rate: exactDecimal{decimal.RequireFromString(r.rate)}, CreatedAt: now, UpdatedAt: now}
		}
		if _, err := tx.NewInsert().Model(&rates).Exec(ctx); err != nil {
			return wrap("seed: rates", err)
		}
		seeded = true
		return nil
	})
	return seeded, err
}
