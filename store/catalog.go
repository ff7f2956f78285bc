package store

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/model"
)

var _ model.CatalogSource = (*DB)(nil)

// catalogChannel is the PostgreSQL NOTIFY channel of currency writes; rate
// writes notify changeChannel already. Together they tell every instance's
// read model when to reload.
const catalogChannel = "fx_catalog_changes"

// LoadCatalog reads every currency (by code) and every rate (by id) in one
// read transaction, so that no rate names a currency the read missed.
func (db *DB) LoadCatalog(ctx context.Context) ([]*model.Currency, []*model.ExchangeRate, error) {
	var (
		currencies []*currencyRow
		rates      []*rateRow
	)
	opts := &sql.TxOptions{ReadOnly: true}
	if db.isPG() {
		opts.Isolation = sql.LevelRepeatableRead
	}
	err := db.bun.RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&currencies).OrderExpr("c.code ASC").Scan(ctx); err != nil {
			return wrap("load currencies", err)
		}
		err := selectRates(tx, &rates).OrderExpr("r.id ASC").Scan(ctx)
		return wrap("load rates", err)
	})
	if err != nil {
		return nil, nil, err
	}
	return convertRows(currencies, toCurrency), convertRows(rates, toExchangeRate), nil
}

// notifyCatalog queues, in the caller's transaction, the notification that
// currencies changed: PostgreSQL sends it if and only if the transaction
// commits. SQLite's followers hear catalogChanged after the commit.
func notifyCatalog(ctx context.Context, tx bun.Tx) error {
	if !onPG(tx) {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_notify(?, '')", catalogChannel)
	return wrap("notify catalog", err)
}

// catalogChanged tells this process's catalog followers that a write
// committed (SQLite; on PostgreSQL the listener hears it from every
// instance).
func (db *DB) catalogChanged() {
	if db.isPG() {
		return
	}
	db.local.mu.Lock()
	defer db.local.mu.Unlock()
	for _, f := range db.local.catalog {
		f()
	}
}

// FollowCatalog calls changed whenever currencies or rates may have
// changed, until ctx is done: once at the start, when it may have missed
// some; on SQLite after each write of this process; on PostgreSQL for each
// notification of any instance's write, and after each reconnection of its
// listener. A reader then reloads (LoadCatalog). changed must not block.
func (db *DB) FollowCatalog(ctx context.Context, changed func()) error {
	if !db.isPG() {
		// changed once registered too, for what committed before.
		followLocally(ctx, db.local, db.local.catalog, changed, changed)
		return nil
	}
	db.reconnecting(ctx, "catalog listener", func(connected func()) error {
		return db.listenCatalogOnce(ctx, changed, connected)
	})
	return nil
}

// listenCatalogOnce connects, LISTENs on both channels, says changed (what
// committed while it was not listening is unknown), then says it again for
// each notification until the connection fails.
func (db *DB) listenCatalogOnce(ctx context.Context, changed, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pgConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{changeChannel, catalogChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return err
		}
	}
	connected()
	changed()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}
