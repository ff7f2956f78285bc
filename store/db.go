// Package store is the gateway's persistence: Bun on PostgreSQL (pgdialect,
// pgx driver) or on an embedded SQLite file (sqlitedialect, pure-Go driver).
// It owns the migrations and the transactions, and it turns driver errors
// into model errors: nothing above it sees a driver error.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/extra/bunotel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	"github.com/fxgraph/gateway/model"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DB is a connection pool to the store, PostgreSQL or SQLite.
type DB struct {
	bun      *bun.DB
	now      func() time.Time
	logger   *slog.Logger
	pgConfig *pgx.ConnConfig // for the change listener's own connection
	local    *localFeed      // SQLite's change feed

	statementTimeout time.Duration
	reconnects       *atomic.Int64 // listener reconnections, shared by copies (WithQueryHook)
	tracerProvider   trace.TracerProvider
}

// WithTracerProvider puts every statement in a span (Bun's OpenTelemetry
// hook), with the statement's text but never its values.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(db *DB) { db.tracerProvider = tp }
}

// Reconnects returns how many times the change and catalog listeners lost
// their connection.
func (db *DB) Reconnects() int64 { return db.reconnects.Load() }

// PoolStats returns the connection pool's statistics.
func (db *DB) PoolStats() sql.DBStats { return db.bun.DB.Stats() }

// Option configures Open.
type Option func(*DB)

// WithLogger sets the logger of background work (the change listener).
func WithLogger(l *slog.Logger) Option { return func(db *DB) { db.logger = l } }

// WithStatementTimeout bounds every statement: PostgreSQL's
// statement_timeout, and on SQLite how long a statement waits for the
// write lock (busy_timeout). Statements also stop with their context.
// The default is 10 seconds.
func WithStatementTimeout(d time.Duration) Option {
	return func(db *DB) { db.statementTimeout = d }
}

// Open opens the store at dsn: a postgres:// or postgresql:// URL selects
// PostgreSQL; anything else is the path of a SQLite file (an optional
// "sqlite:" or "file:" prefix is dropped), created with its directory when
// missing. now is the clock for every timestamp the store writes, kept to
// the microsecond (what PostgreSQL keeps) so that a write answers the same
// time as the next read.
func Open(ctx context.Context, dsn string, now func() time.Time, opts ...Option) (*DB, error) {
	out := &DB{now: func() time.Time { return now().UTC().Truncate(time.Microsecond) }, local: &localFeed{sinks: map[int]func(model.RateChange){}, catalog: map[int]func(){}},
		logger: slog.New(slog.DiscardHandler), statementTimeout: 10 * time.Second, reconnects: new(atomic.Int64)}
	for _, o := range opts {
		o(out)
	}
	var (
		db       *bun.DB
		pgConfig *pgx.ConnConfig
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			// pgx's message may quote the URL, password and all: keep it out.
			return nil, fmt.Errorf("store: invalid PostgreSQL URL")
		}
		pinSession(cfg, out.statementTimeout)
		pgConfig = cfg.Copy()
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(32)
		sqldb.SetMaxIdleConns(32)
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		sqldb, err := openSQLite(dsn, out.statementTimeout)
		if err != nil {
			return nil, err
		}
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	if out.tracerProvider != nil {
		db = db.WithQueryHook(bunotel.NewQueryHook(bunotel.WithTracerProvider(out.tracerProvider),
			bunotel.WithMeterProvider(metricnoop.NewMeterProvider()), bunotel.WithDBName(db.Dialect().Name().String())))
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	out.bun, out.pgConfig = db, pgConfig
	if pgConfig != nil {
		if err := checkSession(ctx, db); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return out, nil
}

// pinSession sets what every PostgreSQL session of the pool must have:
// standard_conforming_strings on, since Bun renders values into the SQL
// text with quotes doubled, which is safe only with it on (off, a
// backslash in a value would end the string: SQL injection); and the
// statement timeout.
func pinSession(cfg *pgx.ConnConfig, statementTimeout time.Duration) {
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["standard_conforming_strings"] = "on"
	cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(statementTimeout.Milliseconds())
}

// checkSession refuses a PostgreSQL session that does not have
// standard_conforming_strings on (a pooler that drops startup parameters
// could lose the pin): serving then would open the store to injection.
func checkSession(ctx context.Context, db *bun.DB) error {
	var v string
	if err := db.NewRaw("SHOW standard_conforming_strings").Scan(ctx, &v); err != nil {
		return fmt.Errorf("store: check session: %w", err)
	}
	return requireConformingStrings(v)
}

// requireConformingStrings returns an error unless v, the session's
// standard_conforming_strings, is on.
func requireConformingStrings(v string) error {
	if v != "on" {
		return fmt.Errorf("store: PostgreSQL session has standard_conforming_strings = %s; it must be on (Bun's quoting is injectable otherwise): refusing to serve", v)
	}
	return nil
}

func openSQLite(dsn string, busyTimeout time.Duration) (*sql.DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// An absolute URL, so that '#', '%' or '?' in the path stay part of it.
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite path: %w", err)
	}
	uri := (&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String()
	sqldb, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// One writer at a time is SQLite's rule; WAL lets readers go on.
	sqldb.SetMaxOpenConns(4)
	sqldb.SetMaxIdleConns(4)
	sqldb.SetConnMaxIdleTime(0)
	return sqldb, nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.bun.Close() }

// Ping checks that the database answers; /readyz calls it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.bun.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Dialect returns "pg" or "sqlite".
func (db *DB) Dialect() string {
	if db.isPG() {
		return "pg"
	}
	return "sqlite"
}

// isPG reports whether the store is PostgreSQL: the one test of the
// dialect, beside onPG for a transaction.
func (db *DB) isPG() bool { return onPG(db.bun) }

// onPG reports whether idb (the pool or a transaction) is PostgreSQL.
func onPG(idb bun.IDB) bool { return idb.Dialect().Name() == dialect.PG }

// lockForUpdate makes q lock the rows it reads (of the tables, if given)
// on PostgreSQL; SQLite's transactions here take the write lock when they
// begin, so there is nothing to lock.
func lockForUpdate(idb bun.IDB, q *bun.SelectQuery, of ...string) *bun.SelectQuery {
	if !onPG(idb) {
		return q
	}
	if len(of) > 0 {
		return q.For("UPDATE OF " + strings.Join(of, ", "))
	}
	return q.For("UPDATE")
}

// WithQueryHook returns a DB on the same pool whose statements also go
// through h, for logging or counting statements.
func (db *DB) WithQueryHook(h bun.QueryHook) *DB {
	cp := *db
	cp.bun = db.bun.WithQueryHook(h)
	return &cp
}

// RunInTx runs fn in a transaction, committed when fn returns nil.
func (db *DB) RunInTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return db.bun.RunInTx(ctx, nil, fn)
}
