package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun/migrate"

	"github.com/fxgraph/gateway/store/migrations"
)

// migrationLockKey is the PostgreSQL advisory lock that keeps two instances
// starting together from migrating at the same time.
const migrationLockKey = 0x66786777 // "fxgw"

// Migrate applies every pending migration and returns their names. On
// PostgreSQL it holds an advisory lock meanwhile, so instances that start
// together migrate one after the other.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	if db.isPG() {
		conn, err := db.bun.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey) //nolint:errcheck // released with the session anyway
	}
	m, err := db.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: migrate: init: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

// migrator builds a bun migrator over the embedded migrations, rendered for
// this dialect.
func (db *DB) migrator() (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrations.FS); err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return migrate.NewMigrator(db.bun, ms,
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(templateData(db.Dialect())),
	), nil
}

type migrationTemplate struct {
	Dialect   string
	Timestamp string
}

func templateData(dialect string) migrationTemplate {
	if dialect == "pg" {
		return migrationTemplate{Dialect: "pg", Timestamp: "TIMESTAMPTZ"}
	}
	return migrationTemplate{Dialect: "sqlite", Timestamp: "TIMESTAMP"}
}
