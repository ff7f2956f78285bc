package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/store"
)

const usage = `usage: gateway [serve|migrate] [flags]

  serve     migrate the store, then serve GraphQL (default)
  migrate   apply pending migrations and exit

Run "gateway serve -h" for the flags.
`

// run is the whole program: main only calls it. args[0] is the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args[1:]
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve", "migrate":
	case "help":
		_, err := io.WriteString(stdout, usage)
		return err
	default:
		_, _ = io.WriteString(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, err := parseConfig(cmd, rest, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	now := time.Now

	db, err := openStore(ctx, cfg, logger, now)
	if err != nil {
		return err
	}
	defer db.Close()
	if cmd == "migrate" {
		return nil
	}
	return serve(ctx, cfg, logger, db, now)
}

// openStore opens and migrates the store, and seeds the demo set when asked.
func openStore(ctx context.Context, cfg config, logger *slog.Logger, now func() time.Time) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.dsn(), now)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	logger.Info("store ready", "dialect", db.Dialect(), "migrations_applied", len(applied))
	if cfg.SeedDemo {
		seeded, err := db.SeedDemo(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if seeded {
			logger.Info("seeded the demo currencies and rates")
		}
	}
	return db, nil
}

// serve runs the HTTP server until ctx is done, then shuts it down
// gracefully.
func serve(ctx context.Context, cfg config, logger *slog.Logger, db *store.DB, now func() time.Time) error {
	resolver := &graph.Resolver{CurrencyService: db, RateService: db, Logger: logger, Now: now}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           NewServer(logger, cfg, db, graph.NewHandler(resolver, graph.DefaultLimits)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", "http://"+ln.Addr().String(), "graphiql", "http://"+ln.Addr().String()+"/", "dialect", db.Dialect())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
