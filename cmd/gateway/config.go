package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
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

	WSOrigins     []string
	WSKeepAlive   time.Duration
	WSInitTimeout time.Duration

	ChangeLogRetention time.Duration // how long rateChanged(after:) can resume
	WSPayloadLimit     int64

	// Hardening: every limit below has a flag and an environment variable.
	Limits            graph.Limits
	Pages             graph.PageSizes
	RequestTimeout    time.Duration // every HTTP request and GraphQL operation but subscriptions
	ReadTimeout       time.Duration // reading a request, body included
	WriteTimeout      time.Duration // writing a response
	WSMaxSubs         int           // subscriptions on one websocket
	WSMaxConnsPerUser int           // websockets of one user, on this instance
	WSUnshared        bool          // every subscription executes alone
	Registration      bool          // self-registration open to anyone
	Throttle          model.Throttle

	MetricsAddr     string   // where /metrics is served apart; empty: on Addr
	CORSOrigins     []string // browser origins allowed to call the HTTP API; none: no CORS
	CORSCredentials bool
	CORSMaxAge      time.Duration
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
// defaults, then the defaults. Each subcommand has only the flags it uses
// (its -h lists them); the settings of the others keep their defaults.
// Every value is parsed as its type, and a bad one, on the command line or
// in the environment, is an error that names the flag.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("gateway "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	serves, admins := name == "serve", name == "serve" || name == "createadmin"
	var c config
	f := typedFlags{fs: fs, env: getenv}

	// Every subcommand opens the store and logs.
	f.on = true
	f.string(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL URL; empty selects the embedded SQLite file")
	f.string(&c.DataDir, "data-dir", "DATA_DIR", "./data", "directory of the embedded SQLite file")
	f.logLevel(&c.LogLevel, "log-level", "LOG_LEVEL", slog.LevelInfo, "debug, info, warn or error")
	f.oneOf(&c.LogFormat, "log-format", "LOG_FORMAT", "text", []string{"text", "json"}, "log format")
	f.duration(&c.RequestTimeout, "request-timeout", "REQUEST_TIMEOUT", 10*time.Second, "deadline of every HTTP request and GraphQL operation (not of subscriptions); also PostgreSQL's statement_timeout")

	// serve and createadmin make ADMINs.
	f.on = admins
	f.string(&c.AdminUsername, "admin-username", "ADMIN_USERNAME", "", "create this ADMIN when no user has the name (with ADMIN_PASSWORD)")
	f.string(&c.AdminEmail, "admin-email", "ADMIN_EMAIL", "", "email of that ADMIN")
	f.intRange(&c.BcryptCost, "bcrypt-cost", "BCRYPT_COST", 10, auth.MinCost, auth.MaxCost, "bcrypt cost of password hashes")

	// serve listens where healthcheck asks.
	f.on = serves || name == "healthcheck"
	f.string(&c.Addr, "addr", "ADDR", "localhost:8080", "listen address")

	// serve alone.
	f.on = serves
	f.string(&c.MetricsAddr, "metrics-addr", "METRICS_ADDR", "", "serve the Prometheus metrics on this address apart; empty: at /metrics of -addr")
	var seed string
	f.oneOf(&seed, "seed-demo", "SEED_DEMO", "auto", []string{"auto", "true", "false"}, "fill an empty store with demo currencies and rates (auto: only on SQLite)")
	f.int64(&c.MaxBodyBytes, "max-body-bytes", "MAX_BODY_BYTES", 1<<20, 1024, "largest request body accepted, in bytes")
	f.duration(&c.ShutdownTimeout, "shutdown-timeout", "SHUTDOWN_TIMEOUT", 10*time.Second, "how long shutdown waits for requests in flight")
	f.duration(&c.ReadTimeout, "read-timeout", "READ_TIMEOUT", 15*time.Second, "time to read a whole request, body included")
	f.duration(&c.WriteTimeout, "write-timeout", "WRITE_TIMEOUT", 20*time.Second, "time to write a response")
	f.list(&c.WSOrigins, "ws-origins", "WS_ORIGINS", "comma-separated browser origins allowed to open websockets besides the gateway's own, or *")
	f.list(&c.CORSOrigins, "cors-origins", "CORS_ORIGINS", "comma-separated browser origins allowed to call /graphql and the REST routes from another origin (CORS), or *; empty: none")
	f.bool(&c.CORSCredentials, "cors-credentials", "CORS_CREDENTIALS", false, "let those origins send credentials (cookies, HTTP auth); never with *")
	f.duration(&c.CORSMaxAge, "cors-max-age", "CORS_MAX_AGE", 10*time.Minute, "how long a browser may cache a preflight answer")
	f.int64(&c.WSPayloadLimit, "ws-payload-limit", "WS_PAYLOAD_LIMIT", 65536, 1024, "largest websocket message accepted from a client, in bytes")
	f.duration(&c.WSKeepAlive, "ws-keepalive", "WS_KEEPALIVE", 15*time.Second, "websocket keep-alive and ping interval; a peer silent for two is dropped")
	f.duration(&c.ChangeLogRetention, "change-log-retention", "CHANGE_LOG_RETENTION", time.Hour, "how long the change log keeps a rate change: a rateChanged cursor older than that is refused")
	f.duration(&c.WSInitTimeout, "ws-init-timeout", "WS_INIT_TIMEOUT", 10*time.Second, "how long a websocket may wait before connection_init (then 4408)")
	f.int(&c.WSMaxSubs, "ws-max-subscriptions", "WS_MAX_SUBSCRIPTIONS", 100, 1, "subscriptions open at once on one websocket")
	f.int(&c.WSMaxConnsPerUser, "ws-max-connections-per-user", "WS_MAX_CONNECTIONS_PER_USER", 50, 1, "websockets and SSE streams one user may hold open on one instance")
	f.bool(&c.WSUnshared, "ws-unshared", "WS_UNSHARED", false, "run every subscription alone instead of sharing one execution among subscribers of the same operation (for comparison)")
	lifetimes := auth.DefaultLifetimes()
	f.duration(&c.FXAccessTTL, "fx-access-ttl", "FX_ACCESS_TTL", lifetimes[model.FlowFX].Access, "lifetime of access tokens of the fx login and GraphQL")
	f.duration(&c.FXRefreshTTL, "fx-refresh-ttl", "FX_REFRESH_TTL", lifetimes[model.FlowFX].Refresh, "lifetime of refresh tokens")
	f.duration(&c.V1AccessTTL, "v1-access-ttl", "V1_ACCESS_TTL", lifetimes[model.FlowV1].Access, "lifetime of v1 access tokens")
	f.duration(&c.AccountsTTL, "accounts-access-ttl", "ACCOUNTS_ACCESS_TTL", lifetimes[model.FlowAccounts].Access, "lifetime of accounts access tokens")
	f.duration(&c.RevocationPoll, "revocation-poll", "REVOCATION_POLL", 500*time.Millisecond, "how often the revocation cache reads new revocations")
	f.string(&c.JWTKey, "jwt-key", "JWT_SIGNING_KEY", "", "HS256 signing key, at least 32 bytes; empty: generated once and kept in the database")
	f.string(&c.TokenIssuer, "token-issuer", "TOKEN_ISSUER", "fx-gateway", "iss and aud of tokens")
	c.Limits = graph.DefaultLimits()
	f.int(&c.Limits.MaxDepth, "max-depth", "MAX_DEPTH", c.Limits.MaxDepth, 1, "deepest nesting of selection sets in one GraphQL operation")
	f.int(&c.Limits.MaxAliases, "max-aliases", "MAX_ALIASES", c.Limits.MaxAliases, 0, "aliases in one GraphQL operation, fragments expanded")
	f.int(&c.Limits.MaxComplexity, "max-complexity", "MAX_COMPLEXITY", c.Limits.MaxComplexity, 1, "gqlgen complexity of one GraphQL operation; a list costs its page size times its items")
	f.int(&c.Limits.MaxFields, "max-fields", "MAX_FIELDS", c.Limits.MaxFields, 1, "field selections of one GraphQL document once its fragments are expanded")
	f.int(&c.Limits.MaxTokens, "max-tokens", "MAX_TOKENS", c.Limits.MaxTokens, 100, "parser tokens of one GraphQL document")
	f.int(&c.Limits.MaxErrors, "max-errors", "MAX_ERRORS", c.Limits.MaxErrors, 1, "errors of one GraphQL response; the rest are dropped, and one error says so")
	f.int(&c.Pages.Default, "page-size", "PAGE_SIZE", graph.DefaultPageSize, 1, "items of a connection's page when first is not given")
	f.int(&c.Pages.Max, "max-page-size", "MAX_PAGE_SIZE", graph.MaxPageSize, 1, "the largest first a connection accepts")
	f.bool(&c.Limits.Introspection, "introspection", "INTROSPECTION", true, "serve GraphQL introspection and \"Did you mean\" suggestions; false turns both off")
	var registration string
	f.oneOf(&registration, "registration", "REGISTRATION", "open", []string{"open", "closed"}, "self-registration (register, /clients/register, v1 signup)")
	c.Throttle = model.DefaultThrottle()
	f.int(&c.Throttle.Failures, "login-failures", "LOGIN_FAILURES", c.Throttle.Failures, 1, "failed logins of one login name from one client address within -login-window before its logins are refused with 429")
	f.int(&c.Throttle.AddressFailures, "login-address-failures", "LOGIN_ADDRESS_FAILURES", c.Throttle.AddressFailures, 1, "failed logins from one client address, any login name, within -login-window before its logins are refused with 429")
	f.duration(&c.Throttle.Window, "login-window", "LOGIN_WINDOW", c.Throttle.Window, "window in which failed logins are counted")
	c.AdminPassword = getenv("ADMIN_PASSWORD")

	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if err := f.err(); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.SeedDemo = seed == "true" || seed == "auto" && c.DatabaseURL == ""
	c.Registration = registration == "open"
	var errs []error
	if c.JWTKey != "" && len(c.JWTKey) < auth.MinKeyLen {
		errs = append(errs, fmt.Errorf("jwt-key: want at least %d bytes, got %d", auth.MinKeyLen, len(c.JWTKey)))
	}
	if c.AdminUsername != "" && c.AdminPassword == "" {
		errs = append(errs, fmt.Errorf("admin-username: ADMIN_PASSWORD must be set too"))
	}
	if c.Pages.Default > c.Pages.Max {
		errs = append(errs, fmt.Errorf("page-size: %d is more than -max-page-size %d", c.Pages.Default, c.Pages.Max))
	}
	if c.CORSCredentials && slices.Contains(c.CORSOrigins, "*") {
		errs = append(errs, fmt.Errorf("cors-credentials: not with -cors-origins *; name the origins"))
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
// error naming the flag. While on is false, a definition only sets the
// default: the subcommand has no such flag.
type typedFlags struct {
	fs   *flag.FlagSet
	env  func(string) string
	on   bool
	errs []error
}

// err returns the environment's bad values, joined.
func (t *typedFlags) err() error { return errors.Join(t.errs...) }

// define registers the flag with parse, then reads the environment
// variable into it when it is set.
func (t *typedFlags) define(kind, name, key, help, def string, parse func(string) error) {
	t.defineKind(kind, name, key, help, def, parse, t.fs.Func)
}

// defineKind is define with the FlagSet's method that registers the flag
// (Func, or BoolFunc for a flag that may stand alone).
func (t *typedFlags) defineKind(kind, name, key, help, def string, parse func(string) error, register func(string, string, func(string) error)) {
	if !t.on {
		return
	}
	where := key
	if kind != "" {
		where = "`" + kind + "`, " + key // flag's usage shows the backquoted kind
	}
	if def != "" {
		where += "; default " + def
	}
	register(name, help+" ("+where+")", parse)
	if v := t.env(key); v != "" {
		if err := t.fs.Set(name, v); err != nil {
			t.errs = append(t.errs, fmt.Errorf("%s (from %s): %w", name, key, errors.Unwrap(err)))
		}
	}
}

// string defines a text flag.
func (t *typedFlags) string(dst *string, name, key, def, help string) {
	*dst = def
	t.define("text", name, key, help, def, func(s string) error { *dst = s; return nil })
}

// oneOf defines a flag that takes one of values.
func (t *typedFlags) oneOf(dst *string, name, key, def string, values []string, help string) {
	*dst = def
	want := strings.Join(values, ", ")
	t.define("choice", name, key, help+": "+want, def, func(s string) error {
		v := strings.ToLower(s)
		if !slices.Contains(values, v) {
			return fmt.Errorf("want one of %s, got %q", want, s)
		}
		*dst = v
		return nil
	})
}

// list defines a comma-separated list flag.
func (t *typedFlags) list(dst *[]string, name, key, help string) {
	t.define("list", name, key, help, "", func(s string) error {
		*dst = nil
		for _, v := range strings.Split(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				*dst = append(*dst, v)
			}
		}
		return nil
	})
}

// logLevel defines a slog level flag.
func (t *typedFlags) logLevel(dst *slog.Level, name, key string, def slog.Level, help string) {
	*dst = def
	t.define("level", name, key, help, strings.ToLower(def.String()), func(s string) error {
		var l slog.Level
		if err := l.UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("want debug, info, warn or error, got %q", s)
		}
		*dst = l
		return nil
	})
}

// int defines an integer flag of at least least.
func (t *typedFlags) int(dst *int, name, key string, def, least int, help string) {
	t.intRange(dst, name, key, def, least, math.MaxInt, help)
}

// intRange defines an integer flag from least to most.
func (t *typedFlags) intRange(dst *int, name, key string, def, least, most int, help string) {
	*dst = def
	bounds := fmt.Sprintf("at least %d", least)
	if most < math.MaxInt {
		bounds = fmt.Sprintf("from %d to %d", least, most)
	}
	t.define("int", name, key, help+", "+bounds, strconv.Itoa(def), func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < least || n > most {
			return fmt.Errorf("want an integer %s, got %q", bounds, s)
		}
		*dst = n
		return nil
	})
}

// int64 defines a 64-bit integer flag of at least least.
func (t *typedFlags) int64(dst *int64, name, key string, def, least int64, help string) {
	*dst = def
	t.define("int", name, key, fmt.Sprintf("%s, at least %d", help, least), strconv.FormatInt(def, 10), func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < least {
			return fmt.Errorf("want an integer of at least %d, got %q", least, s)
		}
		*dst = n
		return nil
	})
}

// bool defines a boolean flag.
func (t *typedFlags) bool(dst *bool, name, key string, def bool, help string) {
	*dst = def
	t.defineKind("", name, key, help, strconv.FormatBool(def), func(s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		*dst = b
		return nil
	}, t.fs.BoolFunc)
}

// duration defines a positive duration flag.
func (t *typedFlags) duration(dst *time.Duration, name, key string, def time.Duration, help string) {
	*dst = def
	t.define("duration", name, key, help, def.String(), func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 10s, got %q", s)
		}
		*dst = d
		return nil
	})
}
