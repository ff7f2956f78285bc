// Package storetest runs a test suite against both backends of the store:
// an embedded SQLite file and a real PostgreSQL, a throwaway cluster started
// for the test binary (or the server at TEST_DATABASE_URL). No mocks.
//
// A package that uses it calls Main from its TestMain. When PostgreSQL
// cannot start, its subtests are skipped with the reason, except under
// CI=true, where the whole binary fails.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fxgraph/gateway/internal/pgtest"
	"github.com/fxgraph/gateway/store"
)

// Backend names, also the subtest names of Each.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// The test binary's PostgreSQL cluster, set once by Main before any test
// runs and read only afterwards.
var (
	cluster    *pgtest.Cluster
	errCluster error = fmt.Errorf("storetest: Main was not called from TestMain")
)

// Main starts the PostgreSQL cluster, runs the tests and stops it.
func Main(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cluster, errCluster = pgtest.Start(ctx)
	cancel()
	if errCluster != nil && pgtest.Required(os.Getenv) {
		fmt.Fprintf(os.Stderr, "storetest: PostgreSQL is required (CI) but could not start: %v\n", errCluster)
		os.Exit(1)
	}
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "storetest: stop PostgreSQL: %v\n", err)
		}
	}
	os.Exit(code)
}

// Each runs fn once per backend, as the subtests "sqlite" and "postgres",
// each with a fresh, migrated, empty store.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, backend := range []string{SQLite, Postgres} {
		t.Run(backend, func(t *testing.T) {
			fn(t, Open(t, backend, time.Now))
		})
	}
}

// Open returns a fresh, migrated, empty store on the backend, closed (and on
// PostgreSQL dropped) when the test ends. now is the store's clock.
func Open(t testing.TB, backend string, now func() time.Time) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, DSN(t, backend), now)
	if err != nil {
		t.Fatalf("open %s store: %v", backend, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", backend, err)
	}
	return db
}

// Cluster returns the test binary's PostgreSQL cluster, for tests that take
// it down and up; it skips the test when PostgreSQL is unavailable outside
// CI, and when it is TEST_DATABASE_URL's server, which is not ours to stop.
func Cluster(t testing.TB) *pgtest.Cluster {
	t.Helper()
	if cluster == nil {
		t.Skipf("PostgreSQL unavailable (set CI=true to make this fail): %v", errCluster)
	}
	if os.Getenv(pgtest.EnvURL) != "" {
		t.Skipf("the server of %s is not ours to stop", pgtest.EnvURL)
	}
	return cluster
}

// DSN returns the address of a fresh, empty database on the backend (a
// SQLite file path or a PostgreSQL URL), removed when the test ends. It
// skips the test when PostgreSQL is unavailable outside CI.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch backend {
	case SQLite:
		dsn = filepath.Join(t.TempDir(), "test.db")
	case Postgres:
		if cluster == nil {
			t.Skipf("PostgreSQL unavailable (set CI=true to make this fail): %v", errCluster)
		}
		var err error
		if dsn, err = cluster.NewDatabase(ctx); err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() {
			if err := cluster.DropDatabase(context.Background(), dsn); err != nil {
				t.Errorf("drop database: %v", err)
			}
		})
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	return dsn
}
