package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for a session without the store's pins

	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

// injection is a login name that, with standard_conforming_strings off,
// ends Bun's quoted string at the backslash and matches user 2.
const injection = `nobody\' OR u.id=2) --`

// TestConformingStringsPinned runs the injection against a database whose
// default is standard_conforming_strings = off: the store's sessions pin it
// on, so the login name is only a name. A session without the pin shows
// the setting does bite.
func TestConformingStringsPinned(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, storetest.Postgres)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET standard_conforming_strings = off', current_database()); END $$`); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first_1", "second_2"} {
		idUser(t, ctx, db, name, "", "")
	}
	t.Run("OK", func(t *testing.T) {
		u, err := db.FindUserByLogin(ctx, injection)
		if model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("FindUserByLogin(%q) = %+v, %v, want ENOTFOUND", injection, u, err)
		}
		slow := time.Now()
		_, err = db.FindUserByLogin(ctx, `x\'||pg_sleep(2)||\'`)
		if model.ErrorCode(err) != model.ENOTFOUND || time.Since(slow) > time.Second {
			t.Errorf("pg_sleep in a login name: %v after %v, want ENOTFOUND at once", err, time.Since(slow))
		}
	})
	t.Run("UnpinnedSessionIsInjectable", func(t *testing.T) {
		fresh, err := sql.Open("pgx", dsn) // a new session: the database default applies
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		conn, err := fresh.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var setting string
		if err := conn.QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&setting); err != nil || setting != "off" {
			t.Fatalf("unpinned session: standard_conforming_strings = %q, %v, want off", setting, err)
		}
		// What Bun renders for the login name, run in that session.
		var n int
		q := `SELECT count(*) FROM users AS u WHERE (u.username = 'nobody\'' OR u.id=2) --')`
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 1 {
			t.Errorf("unpinned: %d rows, %v; want the injection to match 1 (else this test proves nothing)", n, err)
		}
	})
}

func TestRequireConformingStrings(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		if err := store.RequireConformingStrings("on"); err != nil {
			t.Errorf("on: %v", err)
		}
	})
	t.Run("ErrOff", func(t *testing.T) {
		if err := store.RequireConformingStrings("off"); err == nil {
			t.Error("off: no error, want the store to refuse to serve")
		}
	})
}

// TestStatementTimeout: a statement runs at most the statement timeout
// (PostgreSQL's statement_timeout), and stops with its context on both
// backends.
func TestStatementTimeout(t *testing.T) {
	ctx := context.Background()
	t.Run("postgres", func(t *testing.T) {
		db, err := store.Open(ctx, storetest.DSN(t, storetest.Postgres), time.Now, store.WithStatementTimeout(300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		start := time.Now()
		err = db.ExecForTest(ctx, "SELECT pg_sleep(5)")
		if err == nil || time.Since(start) > 3*time.Second {
			t.Errorf("pg_sleep(5) under a 300ms statement timeout: %v after %v, want an error at once", err, time.Since(start))
		}
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		db2, err := store.Open(ctx, storetest.DSN(t, storetest.Postgres), time.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		start = time.Now()
		if err := db2.ExecForTest(cctx, "SELECT pg_sleep(5)"); err == nil || time.Since(start) > 3*time.Second {
			t.Errorf("pg_sleep(5) under a 200ms context: %v after %v, want it stopped", err, time.Since(start))
		}
	})
	t.Run("sqlite", func(t *testing.T) {
		db := storetest.Open(t, storetest.SQLite, time.Now)
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		// A query that runs for minutes unless interrupted.
		err := db.ExecForTest(cctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c")
		if err == nil || time.Since(start) > 3*time.Second {
			t.Errorf("an endless query under a 200ms context: %v after %v, want it stopped", err, time.Since(start))
		}
	})
}
