package store

import "context"

// ExecForTest runs a statement on the pool, for tests of session settings.
func (db *DB) ExecForTest(ctx context.Context, query string) error {
	_, err := db.bun.ExecContext(ctx, query)
	return err
}

// RequireConformingStrings is requireConformingStrings, for its test.
var RequireConformingStrings = requireConformingStrings
