package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is the gateway's configuration, from flags first, then the
// environment, then defaults.
type config struct {
	Addr            string
	DatabaseURL     string
	DataDir         string
	SeedDemo        bool
	LogLevel        slog.Level
	LogFormat       string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
}

// sqlitePath is the embedded default's database file.
func (c config) sqlitePath() string { return filepath.Join(c.DataDir, "gateway.db") }

// dsn is DatabaseURL, or the embedded default's SQLite file.
func (c config) dsn() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return c.sqlitePath()
}

// parseConfig reads the flags of a subcommand with the environment as their
// defaults.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("gateway "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		c         config
		seed      string
		logLevel  string
		maxBody   string
		shutdownT string
	)
	fs.StringVar(&c.Addr, "addr", env("ADDR", "localhost:8080"), "listen address (ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL; empty selects the embedded SQLite file (DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "./data"), "directory of the embedded SQLite file (DATA_DIR)")
	fs.StringVar(&seed, "seed-demo", env("SEED_DEMO", "auto"), "fill an empty store with demo currencies and rates: true, false, or auto (only on SQLite) (SEED_DEMO)")
	fs.StringVar(&logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "text or json (LOG_FORMAT)")
	fs.StringVar(&maxBody, "max-body-bytes", env("MAX_BODY_BYTES", "1048576"), "largest request body accepted (MAX_BODY_BYTES)")
	fs.StringVar(&shutdownT, "shutdown-timeout", env("SHUTDOWN_TIMEOUT", "10s"), "how long shutdown waits for requests in flight (SHUTDOWN_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var errs []error
	switch strings.ToLower(seed) {
	case "auto":
		c.SeedDemo = c.DatabaseURL == ""
	default:
		b, err := strconv.ParseBool(seed)
		if err != nil {
			errs = append(errs, fmt.Errorf("seed-demo: want true, false or auto, got %q", seed))
		}
		c.SeedDemo = b
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		errs = append(errs, fmt.Errorf("log-level: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format: want text or json, got %q", c.LogFormat))
	}
	n, err := strconv.ParseInt(maxBody, 10, 64)
	if err != nil || n < 1024 {
		errs = append(errs, fmt.Errorf("max-body-bytes: want an integer of at least 1024, got %q", maxBody))
	}
	c.MaxBodyBytes = n
	if c.ShutdownTimeout, err = time.ParseDuration(shutdownT); err != nil || c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown-timeout: want a positive duration such as 10s, got %q", shutdownT))
	}
	return c, errors.Join(errs...)
}

func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
