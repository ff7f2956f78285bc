package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fxgraph/gateway/model"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// constraint is the kind of integrity constraint a driver error reports.
type constraint int

const (
	noConstraint constraint = iota
	uniqueViolation
	foreignKeyViolation
	checkViolation
)

// violated tells which kind of constraint, if any, err reports, on either
// driver.
func violated(err error) constraint {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		case "23514":
			return checkViolation
		}
		return noConstraint
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkViolation
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			// ON DELETE RESTRICT is enforced as a trigger-like action.
			if strings.Contains(liteErr.Error(), "FOREIGN KEY") {
				return foreignKeyViolation
			}
		}
	}
	return noConstraint
}

// translate turns a driver error into a model error: a violated constraint
// becomes the code given for it (messages are the caller's), sql.ErrNoRows
// becomes notFound, anything else is wrapped as internal with op for the log.
func translate(op string, err error, notFound, conflict, invalid *model.Error) error {
	if err == nil {
		return nil
	}
	var me *model.Error
	if errors.As(err, &me) {
		return err
	}
	switch {
	case errors.Is(err, sql.ErrNoRows) && notFound != nil:
		return notFound
	}
	switch violated(err) {
	case uniqueViolation:
		if conflict != nil {
			return conflict
		}
	case foreignKeyViolation:
		if notFound != nil {
			return notFound
		}
	case checkViolation:
		if invalid != nil {
			return invalid
		}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// wrap is translate for an error with no constraint or absence to name: a
// model error passes, anything else is internal, wrapped with op.
func wrap(op string, err error) error { return translate(op, err, nil, nil, nil) }
