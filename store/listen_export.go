package store

import "context"

// TerminateListenersForTest ends every LISTEN connection of the database,
// as a network cut would: the listeners must reconnect and resynchronise.
// Tests of other packages call it; it is harmless elsewhere, and only ever
// ends this database's listening sessions.
func (db *DB) TerminateListenersForTest(ctx context.Context) error {
	_, err := db.bun.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'`)
	return err
}
