// Package migrations holds the store's schema as SQL templates, rendered for
// the dialect in use ({{.Dialect}} is "pg" or "sqlite") and applied in order
// by bun/migrate.
package migrations

import "embed"

// FS is the embedded migration files.
//
//go:embed *.sql
var FS embed.FS
