package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/inmem"
	"github.com/fxgraph/gateway/live"
	"github.com/fxgraph/gateway/model"
	"github.com/fxgraph/gateway/prom"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/tracing"
)

// app is everything the server needs, built from the config and the store.
type app struct {
	metrics       *prom.Metrics
	catalog       *inmem.Catalog
	resolver      *graph.Resolver
	authenticator *auth.Authenticator
	revocations   *auth.Revocations
	hub           *live.Hub
	websockets    *graph.Websocket
}

// handler is the GraphQL endpoint with its websocket transport.
func (a *app) handler(cfg config) http.Handler {
	return refuseLargeGraphQL(graph.NewHandler(a.resolver, cfg.Limits, graph.WithWebsocket(a.websockets), graph.WithOperationTimeout(cfg.RequestTimeout), graph.WithExtension(a.metrics.GraphQL())), cfg.MaxBodyBytes)
}

// signingKeySetting is where a generated signing key is kept, so that every
// instance sharing the database signs and verifies with the same key.
const signingKeySetting = "jwt_signing_key"

// newApp builds the services: the signing key (configured, or generated
// once and kept in the database), the hasher, the issuer and the
// revocation cache, loaded.
func newApp(ctx context.Context, cfg config, logger *slog.Logger, db *store.DB, now func() time.Time, tr *tracing.Tracing) (*app, error) {
	key := cfg.JWTKey
	if key == "" {
		var err error
		if key, err = db.Setting(ctx, signingKeySetting, auth.NewKey); err != nil {
			return nil, err
		}
	}
	issuer, err := auth.NewIssuer([]byte(key), cfg.TokenIssuer, cfg.lifetimes(), now)
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	revocations := auth.NewRevocations(db, cfg.RevocationPoll, now, logger)
	if err := revocations.Load(ctx); err != nil {
		return nil, err
	}
	hub := live.NewHub()
	catalog := inmem.New(db, logger)
	if err := catalog.Load(ctx); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	a := &app{
		metrics: prom.New(now),
		catalog: catalog,
		hub:     hub,
		resolver: &graph.Resolver{
			Hub: hub, Changes: db,
			CurrencyService: catalog, RateService: catalog,
			UserService: auth.SyncedUsers(db, revocations), TokenService: auth.SyncedTokens(db, revocations),
			OrganizationService: db, ResourceService: db,
			Issuer: issuer, Hasher: hasher, Logger: logger, Now: now,
			LoginFailures: db, Throttle: cfg.Throttle, RegistrationClosed: !cfg.Registration,
			CatalogVersion: catalog.Version, Pages: cfg.Pages,
		},
		authenticator: auth.NewAuthenticator(issuer, revocations),
		revocations:   revocations,
	}
	a.websockets = graph.NewWebsocket(graph.Websocket{
		Origins:          cfg.WSOrigins,
		Authenticate:     a.authenticator.Authenticate,
		Revoked:          a.revocations.Revoked,
		KeepAlive:        cfg.WSKeepAlive,
		InitTimeout:      cfg.WSInitTimeout,
		PayloadLimit:     cfg.WSPayloadLimit,
		RevocationCheck:  cfg.RevocationPoll,
		MaxSubscriptions: cfg.WSMaxSubs,
		MaxConnsPerUser:  cfg.WSMaxConnsPerUser,
		Unshared:         cfg.WSUnshared,
		Logger:           logger,
	})
	if tr.Enabled() {
		a.resolver.Tracer = tr.Provider.Tracer("github.com/fxgraph/gateway/graph")
	}
	stats, shared := hub.Stats(), a.websockets.Stats()
	a.metrics.Watch(prom.Sources{
		WebsocketConns: a.websockets.Open, Subscriptions: a.websockets.Subscriptions, Executions: hub.Len, Groups: a.websockets.Groups,
		SharedResults: shared.Shared.Load,
		Queued:        func() int64 { return stats.Queued.Load() + shared.Delivered.Load() },
		Coalesced:     func() int64 { return stats.Coalesced.Load() + shared.Coalesced.Load() },
		Dropped:       func() int64 { return stats.Dropped.Load() + shared.Dropped.Load() },
		Resyncs:       stats.Resyncs.Load,
		Reconnects:    db.Reconnects, RevokedTokens: revocations.Len, RevocationPoll: revocations.LastPoll,
		LoginFailures: a.resolver.Counters.LoginFailures.Load, LoginThrottled: a.resolver.Counters.LoginThrottled.Load,
		CatalogVersion: catalog.Version,
		DBOpen:         func() int { return db.PoolStats().OpenConnections },
		DBInUse:        func() int { return db.PoolStats().InUse },
		DBWaitCount:    func() int64 { return db.PoolStats().WaitCount },
		DBWaitDuration: func() time.Duration { return db.PoolStats().WaitDuration },
	})
	return a, nil
}

// ensureAdmin creates the ADMIN named by the config when no user has that
// name. It reports whether it created one.
func ensureAdmin(ctx context.Context, db *store.DB, h *auth.Hasher, username, email, password string) (bool, error) {
	if _, err := db.FindUserByLogin(ctx, username); err == nil {
		return false, nil
	} else if model.ErrorCode(err) != model.ENOTFOUND {
		return false, err
	}
	name, err := model.ParseUsername("admin-username", username)
	if err != nil {
		return false, err
	}
	if err := model.CheckPassword("ADMIN_PASSWORD", password); err != nil {
		return false, err
	}
	u := &model.User{Username: &name, Category: model.CategoryAdmin, Active: true, ReworkAvailable: model.DefaultRework}
	if email != "" {
		e, err := model.ParseEmail("admin-email", email)
		if err != nil {
			return false, err
		}
		u.Email = &e
	}
	if u.PasswordHash, err = h.Hash(password); err != nil {
		return false, err
	}
	if err := db.CreateUser(ctx, u); err != nil {
		return false, err
	}
	return true, nil
}

// demoAdmin is the ADMIN of the embedded default.
const demoAdmin = "admin"

// ensureDemoAdmin gives the embedded default an ADMIN named admin, with a
// random password written to a file only its owner may read (never to the
// log), and returns that file's path; "" when the store has users already.
func ensureDemoAdmin(ctx context.Context, db *store.DB, h *auth.Hasher, dataDir string) (string, error) {
	if _, total, err := db.FindUsers(ctx, model.UserFilter{Limit: 1}); err != nil || total > 0 {
		return "", err
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo admin password: %w", err)
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	path := filepath.Join(dataDir, "admin-password.txt")
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("demo admin password: %w", err)
	}
	if _, err := ensureAdmin(ctx, db, h, demoAdmin, "", password); err != nil {
		return "", err
	}
	return path, nil
}
