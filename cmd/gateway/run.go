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
	"runtime/debug"
	"sync"
	"time"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/rest"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/tracing"
)

const usage = `usage: gateway [serve|migrate|createadmin|version] [flags]

  serve        migrate the store, then serve GraphQL (default)
  migrate      apply pending migrations and exit
  createadmin  create an ADMIN: -admin-username NAME [-admin-email EMAIL],
               the password in the ADMIN_PASSWORD environment variable
  version      print the version, the VCS revision and its time
  healthcheck  exit 0 when the gateway at -addr is ready (/readyz), 1 else:
               a container's HEALTHCHECK, with no shell or curl

Run "gateway COMMAND -h" for the flags of a command.
`

// run is the whole program: main only calls it. args[0] is the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args[1:]
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve", "migrate", "createadmin", "healthcheck":
	case "help":
		_, err := io.WriteString(stdout, usage)
		return err
	case "version":
		info, ok := debug.ReadBuildInfo()
		_, err := io.WriteString(stdout, versionText(info, ok, buildTime))
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
	if cmd == "healthcheck" {
		return healthcheck(ctx, cfg.Addr)
	}
	logger := newLogger(cfg, stderr)
	now := time.Now
	tr := tracing.Off()
	if cmd == "serve" {
		if tr, err = tracing.FromEnv(ctx, getenv); err != nil {
			return fmt.Errorf("tracing: %w", err)
		}
		defer func() {
			shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tr.Shutdown(shutdownCtx); err != nil {
				logger.Warn("tracing: flush at shutdown failed", "err", err)
			}
		}()
	}

	db, err := openStore(ctx, cfg, logger, now, tr)
	if err != nil {
		return err
	}
	defer db.Close()
	switch cmd {
	case "migrate":
		return nil
	case "createadmin":
		return createAdmin(ctx, cfg, logger, db, stdout)
	}
	return serve(ctx, cfg, logger, db, now, tr)
}

// healthcheck asks the gateway listening at addr whether it is ready; a
// wildcard host is asked on loopback. It returns an error unless /readyz
// answers 200 within 3 seconds.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("healthcheck: addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /readyz answered %d", res.StatusCode)
	}
	return nil
}

// buildTime is when make build linked the binary (-ldflags -X), "" else:
// the one package-level variable, set by the linker and never after.
var buildTime string

// versionText describes the build: the module's version, the VCS revision,
// its time and whether the tree had changes, as the Go toolchain records
// them in the binary (go build from a checkout), and built, the link time
// make build stamps.
func versionText(info *debug.BuildInfo, ok bool, built string) string {
	if !ok {
		return "gateway (no build information)\n"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	out := fmt.Sprintf("gateway %s (%s, %s/%s)\n", info.Main.Version, info.GoVersion, settings["GOOS"], settings["GOARCH"])
	if rev := settings["vcs.revision"]; rev != "" {
		out += fmt.Sprintf("revision %s, committed %s", rev, settings["vcs.time"])
		if settings["vcs.modified"] == "true" {
			out += ", with local changes"
		}
		out += "\n"
	}
	if built != "" {
		out += "built " + built + "\n"
	}
	return out
}

// prune trims the change log to its retention and the login throttle's
// expired counters, every ten minutes (or half the retention, if that is
// shorter) until ctx is done.
func prune(ctx context.Context, db *store.DB, logger *slog.Logger, now func() time.Time, retention, throttleWindow time.Duration) {
	t := time.NewTicker(min(10*time.Minute, max(retention/2, time.Millisecond)))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := db.PruneChanges(ctx, now().Add(-retention)); err != nil && ctx.Err() == nil {
				logger.Warn("rate changes: prune failed", "err", err)
			}
			if _, err := db.PruneLoginFailures(ctx, now().Add(-throttleWindow)); err != nil && ctx.Err() == nil {
				logger.Warn("login throttle: prune failed", "err", err)
			}
		}
	}
}

// createAdmin is the createadmin command.
func createAdmin(ctx context.Context, cfg config, logger *slog.Logger, db *store.DB, stdout io.Writer) error {
	if cfg.AdminUsername == "" {
		return fmt.Errorf("createadmin: -admin-username (or ADMIN_USERNAME) is required, with ADMIN_PASSWORD")
	}
	h, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		return err
	}
	created, err := ensureAdmin(ctx, db, h, cfg.AdminUsername, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("createadmin: %s", model.ErrorMessage(err))
	}
	if !created {
		return fmt.Errorf("createadmin: a user named %q exists already", cfg.AdminUsername)
	}
	logger.Info("created ADMIN", "username", cfg.AdminUsername)
	_, err = fmt.Fprintf(stdout, "created ADMIN %s\n", cfg.AdminUsername)
	return err
}

// openStore opens and migrates the store.
func openStore(ctx context.Context, cfg config, logger *slog.Logger, now func() time.Time, tr *tracing.Tracing) (*store.DB, error) {
	opts := []store.Option{store.WithLogger(logger), store.WithStatementTimeout(cfg.RequestTimeout)}
	if tr.Enabled() {
		opts = append(opts, store.WithTracerProvider(tr.Provider))
	}
	db, err := store.Open(ctx, cfg.dsn(), now, opts...)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	logger.Info("store ready", "dialect", db.Dialect(), "migrations_applied", len(applied))
	return db, nil
}

// serve runs the HTTP server until ctx is done, then shuts it down
// gracefully.
func serve(ctx context.Context, cfg config, logger *slog.Logger, db *store.DB, now func() time.Time, tr *tracing.Tracing) error {
	if cfg.SeedDemo {
		seeded, err := db.SeedDemo(ctx)
		if err != nil {
			return err
		}
		if seeded {
			logger.Info("seeded the demo currencies and rates")
		}
	}
	a, err := newApp(ctx, cfg, logger, db, now, tr)
	if err != nil {
		return err
	}
	if cfg.AdminUsername != "" {
		if created, err := ensureAdmin(ctx, db, a.resolver.Hasher, cfg.AdminUsername, cfg.AdminEmail, cfg.AdminPassword); err != nil {
			return fmt.Errorf("first admin: %s", model.ErrorMessage(err))
		} else if created {
			logger.Info("created the first ADMIN", "username", cfg.AdminUsername)
		}
	}
	if cfg.DatabaseURL == "" {
		path, err := ensureDemoAdmin(ctx, db, a.resolver.Hasher, cfg.DataDir)
		if err != nil {
			return err
		}
		if path != "" {
			logger.Info("created the demo ADMIN: sign in with the login mutation as "+demoAdmin+" and the password in the file", "file", path)
		}
	}
	// Background work, stopped and waited for when serve returns.
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	defer func() { stopBackground(); background.Wait() }()
	background.Go(func() { a.revocations.Run(bgCtx) })
	background.Go(func() {
		if err := a.catalog.Follow(bgCtx); err != nil {
			logger.Error("read model: follower stopped", "err", err)
		}
	})
	background.Go(func() {
		if err := db.FollowChanges(bgCtx, func(c model.RateChange) { a.metrics.ObserveChange(c); a.hub.Publish(c) }, a.hub.Resync); err != nil {
			logger.Error("rate changes: follower stopped", "err", err)
		}
	})
	background.Go(func() { prune(bgCtx, db, logger, now, cfg.ChangeLogRetention, cfg.Throttle.Window) })

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           NewServer(logger, cfg, db, a.catalog, a.metrics, tr, a.authenticator, a.handler(cfg), rest.NewSurfaces(a.resolver, logger)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,  // a body trickled in is cut off
		WriteTimeout:      cfg.WriteTimeout, // websockets clear both after the upgrade
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
	if cfg.MetricsAddr != "" {
		metricsSrv := &http.Server{Addr: cfg.MetricsAddr, Handler: a.metrics.Handler(), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			return err
		}
		logger.Info("metrics", "addr", "http://"+mln.Addr().String()+"/metrics")
		go func() { _ = metricsSrv.Serve(mln) }()
		defer metricsSrv.Close()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// Hijacked websockets are not the server's to close: say goodbye (1001)
	// to each first, then end what subscriptions remain.
	a.websockets.Shutdown()
	a.hub.Close()
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
