package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/internal/reqinfo"
	"github.com/fxgraph/gateway/model"
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

	JWTKey         string // secret: never logged
	TokenIssuer    string
	BcryptCost     int
	FXAccessTTL    time.Duration
	FXRefreshTTL   time.Duration
	V1AccessTTL    time.Duration
	AccountsTTL    time.Duration
	RevocationPoll time.Duration
	AdminUsername  string
	AdminEmail     string
	AdminPassword  string // secret: never logged

	WSOrigins      []string
	WSKeepAlive    time.Duration
	WSPayloadLimit int64

	// Hardening: every limit below has a flag and an environment variable.
	Limits            graph.Limits
	RequestTimeout    time.Duration // every HTTP request and GraphQL operation but subscriptions
	ReadTimeout       time.Duration // reading a request, body included
	WriteTimeout      time.Duration // writing a response
	WSMaxSubs         int           // subscriptions on one websocket
	WSMaxConnsPerUser int           // websockets of one user, on this instance
	Registration      bool          // self-registration open to anyone
	Throttle          model.Throttle
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
	var bcryptCost, wsOrigins, wsLimit string
	fs.StringVar(&wsOrigins, "ws-origins", env("WS_ORIGINS", ""), "comma-separated browser origins allowed to open websockets besides the gateway's own, or * (WS_ORIGINS)")
	fs.StringVar(&wsLimit, "ws-payload-limit", env("WS_PAYLOAD_LIMIT", "65536"), "largest websocket message accepted from a client, in bytes (WS_PAYLOAD_LIMIT)")
	durations := []struct {
		dst       *time.Duration
		name, env string
		def, help string
	}{
		{&c.FXAccessTTL, "fx-access-ttl", "FX_ACCESS_TTL", "30m", "lifetime of access tokens of the fx login and GraphQL"},
		{&c.FXRefreshTTL, "fx-refresh-ttl", "FX_REFRESH_TTL", "336h", "lifetime of refresh tokens (14 days)"},
		{&c.V1AccessTTL, "v1-access-ttl", "V1_ACCESS_TTL", "192h", "lifetime of v1 access tokens (8 days)"},
		{&c.AccountsTTL, "accounts-access-ttl", "ACCOUNTS_ACCESS_TTL", "24h", "lifetime of accounts access tokens"},
		{&c.RevocationPoll, "revocation-poll", "REVOCATION_POLL", "500ms", "how often the revocation cache reads new revocations"},
		{&c.WSKeepAlive, "ws-keepalive", "WS_KEEPALIVE", "15s", "websocket keep-alive and ping interval; a peer silent for two is dropped"},
	}
	durationText := make([]string, len(durations))
	for i, d := range durations {
		fs.StringVar(&durationText[i], d.name, env(d.env, d.def), d.help+" ("+d.env+")")
	}
	fs.StringVar(&c.JWTKey, "jwt-key", env("JWT_SIGNING_KEY", ""), "HS256 signing key, at least 32 bytes; empty: generated once and kept in the database (JWT_SIGNING_KEY)")
	fs.StringVar(&c.TokenIssuer, "token-issuer", env("TOKEN_ISSUER", "fx-gateway"), "iss and aud of tokens (TOKEN_ISSUER)")
	fs.StringVar(&bcryptCost, "bcrypt-cost", env("BCRYPT_COST", "10"), "bcrypt cost of password hashes, 4..31 (BCRYPT_COST)")
	fs.StringVar(&c.AdminUsername, "admin-username", env("ADMIN_USERNAME", ""), "create this ADMIN at start when no user has the name (ADMIN_USERNAME)")
	fs.StringVar(&c.AdminEmail, "admin-email", env("ADMIN_EMAIL", ""), "email of that ADMIN (ADMIN_EMAIL)")

	// Typed flags: a bad value is an error that names the flag.
	c.Limits = graph.DefaultLimits()
	typed := typedFlags{fs: fs, env: getenv}
	typed.int(&c.Limits.MaxDepth, "max-depth", "MAX_DEPTH", c.Limits.MaxDepth, 1, "deepest nesting of selection sets in one GraphQL operation")
	typed.int(&c.Limits.MaxAliases, "max-aliases", "MAX_ALIASES", c.Limits.MaxAliases, 0, "aliases in one GraphQL operation, fragments expanded")
	typed.int(&c.Limits.MaxComplexity, "max-complexity", "MAX_COMPLEXITY", c.Limits.MaxComplexity, 1, "gqlgen complexity of one GraphQL operation; a list costs its page size times its items")
	typed.int(&c.Limits.MaxFields, "max-fields", "MAX_FIELDS", c.Limits.MaxFields, 1, "field selections of one GraphQL document once its fragments are expanded")
	typed.int(&c.Limits.MaxTokens, "max-tokens", "MAX_TOKENS", c.Limits.MaxTokens, 100, "parser tokens of one GraphQL document")
	typed.int(&c.Limits.MaxErrors, "max-errors", "MAX_ERRORS", c.Limits.MaxErrors, 1, "errors of one GraphQL response; the rest are dropped, and one error says so")
	typed.bool(&c.Limits.Introspection, "introspection", "INTROSPECTION", true, "serve GraphQL introspection and \"Did you mean\" suggestions; false turns both off")
	typed.duration(&c.RequestTimeout, "request-timeout", "REQUEST_TIMEOUT", 10*time.Second, "deadline of every HTTP request and GraphQL operation (not of subscriptions); also PostgreSQL's statement_timeout")
	typed.duration(&c.ReadTimeout, "read-timeout", "READ_TIMEOUT", 15*time.Second, "time to read a whole request, body included")
	typed.duration(&c.WriteTimeout, "write-timeout", "WRITE_TIMEOUT", 20*time.Second, "time to write a response")
	typed.int(&c.WSMaxSubs, "ws-max-subscriptions", "WS_MAX_SUBSCRIPTIONS", 100, 1, "subscriptions open at once on one websocket")
	typed.int(&c.WSMaxConnsPerUser, "ws-max-connections-per-user", "WS_MAX_CONNECTIONS_PER_USER", 50, 1, "websockets one user may hold open on one instance")
	typed.choice(&c.Registration, "registration", "REGISTRATION", "open", map[string]bool{"open": true, "closed": false}, "self-registration (register, /clients/register, v1 signup): open to anyone, or closed")
	c.Throttle = model.DefaultThrottle()
	typed.int(&c.Throttle.Failures, "login-failures", "LOGIN_FAILURES", c.Throttle.Failures, 1, "failed logins of one login name from one client address within -login-window before its logins are refused with 429")
	typed.int(&c.Throttle.AddressFailures, "login-address-failures", "LOGIN_ADDRESS_FAILURES", c.Throttle.AddressFailures, 1, "failed logins from one client address, any login name, within -login-window before its logins are refused with 429")
	typed.duration(&c.Throttle.Window, "login-window", "LOGIN_WINDOW", c.Throttle.Window, "window in which failed logins are counted")
	c.AdminPassword = getenv("ADMIN_PASSWORD")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if err := typed.err(); err != nil {
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
	for i, d := range durations {
		v, err := time.ParseDuration(durationText[i])
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive duration such as 30m, got %q", d.name, durationText[i]))
		}
		*d.dst = v
	}
	for _, o := range strings.Split(wsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.WSOrigins = append(c.WSOrigins, o)
		}
	}
	if c.WSPayloadLimit, err = strconv.ParseInt(wsLimit, 10, 64); err != nil || c.WSPayloadLimit < 1024 {
		errs = append(errs, fmt.Errorf("ws-payload-limit: want an integer of at least 1024, got %q", wsLimit))
	}
	if c.BcryptCost, err = strconv.Atoi(bcryptCost); err != nil || c.BcryptCost < 4 || c.BcryptCost > 31 {
		errs = append(errs, fmt.Errorf("bcrypt-cost: want an integer from 4 to 31, got %q", bcryptCost))
	}
	if c.JWTKey != "" && len(c.JWTKey) < 32 {
		errs = append(errs, fmt.Errorf("jwt-key: want at least 32 bytes, got %d", len(c.JWTKey)))
	}
	if c.AdminUsername != "" && c.AdminPassword == "" {
		errs = append(errs, fmt.Errorf("admin-username: ADMIN_PASSWORD must be set too"))
	}
	return c, errors.Join(errs...)
}

// lifetimes are the token lifetimes per login flow.
func (c config) lifetimes() map[model.LoginFlow]auth.Lifetimes {
	return map[model.LoginFlow]auth.Lifetimes{
		model.FlowFX:       {Access: c.FXAccessTTL, Refresh: c.FXRefreshTTL},
		model.FlowV1:       {Access: c.V1AccessTTL},
		model.FlowAccounts: {Access: c.AccountsTTL},
	}
}

// newLogger logs in the configured format; every line logged with a
// request's context carries its id, user and operation (reqinfo.Handler).
func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(reqinfo.Handler{Handler: h})
}

// typedFlags defines flags of a type with the environment variable as the
// default: a bad value, on the command line or in the environment, is an
// error naming the flag.
type typedFlags struct {
	fs   *flag.FlagSet
	env  func(string) string
	errs []error
}

// err returns the environment's bad values, joined.
func (t *typedFlags) err() error { return errors.Join(t.errs...) }

// fromEnv sets the flag from the environment variable, when it is set.
func (t *typedFlags) fromEnv(name, key string) {
	if v := t.env(key); v != "" {
		if err := t.fs.Set(name, v); err != nil {
			t.errs = append(t.errs, fmt.Errorf("%s (from %s): %w", name, key, errors.Unwrap(err)))
		}
	}
}

// int defines an integer flag of at least least.
func (t *typedFlags) int(dst *int, name, key string, def, least int, help string) {
	*dst = def
	t.fs.Func(name, fmt.Sprintf("%s, at least %d (%s; default %d)", help, least, key, def), func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < least {
			return fmt.Errorf("want an integer of at least %d, got %q", least, s)
		}
		*dst = n
		return nil
	})
	t.fromEnv(name, key)
}

// bool defines a boolean flag.
func (t *typedFlags) bool(dst *bool, name, key string, def bool, help string) {
	*dst = def
	t.fs.Func(name, fmt.Sprintf("%s (%s; default %t)", help, key, def), func(s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		*dst = b
		return nil
	})
	t.fromEnv(name, key)
}

// duration defines a positive duration flag.
func (t *typedFlags) duration(dst *time.Duration, name, key string, def time.Duration, help string) {
	*dst = def
	t.fs.Func(name, fmt.Sprintf("%s (%s; default %s)", help, key, def), func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 10s, got %q", s)
		}
		*dst = d
		return nil
	})
	t.fromEnv(name, key)
}

// choice defines a flag of named values.
func (t *typedFlags) choice(dst *bool, name, key, def string, values map[string]bool, help string) {
	*dst = values[def]
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	t.fs.Func(name, fmt.Sprintf("%s: %s (%s; default %s)", help, strings.Join(names, " or "), key, def), func(s string) error {
		v, ok := values[strings.ToLower(s)]
		if !ok {
			return fmt.Errorf("want %s, got %q", strings.Join(names, " or "), s)
		}
		*dst = v
		return nil
	})
	t.fromEnv(name, key)
}
