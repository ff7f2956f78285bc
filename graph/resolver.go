// Package graph is the gateway's one application layer: the GraphQL
// resolvers. They parse input into model values, authorize through one
// helper, call the store and convert the answer. The REST surface calls the
// same resolvers. Generated code lives in graph/generated and
// graph/gqlmodel/models_gen.go and is never edited.
package graph

import (
	"log/slog"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/fxgraph/gateway/auth"
	"github.com/fxgraph/gateway/live"
	"github.com/fxgraph/gateway/model"
)

// Resolver holds every dependency of the resolvers.
type Resolver struct {
	CurrencyService     model.CurrencyService
	RateService         model.ExchangeRateService
	UserService         model.UserService
	TokenService        model.TokenService
	OrganizationService model.OrganizationService
	ResourceService     model.ResourceService
	Issuer              *auth.Issuer
	Hasher              *auth.Hasher
	Hub                 *live.Hub
	Changes             model.ChangeLog
	Logger              *slog.Logger
	Now                 func() time.Time

	// LoginFailures and Throttle refuse logins after too many failures;
	// nil or a zero Throttle counts nothing.
	LoginFailures model.LoginFailureService
	Throttle      model.Throttle
	// RegistrationClosed refuses self-registration (register, signup).
	RegistrationClosed bool
	// Pages are the connections' page sizes (zero: 100 by default, 1,000
	// at most).
	Pages PageSizes
	// Counters count what metrics report of the resolvers.
	Counters Counters
	// Tracer, when set, runs every operation and every root resolver in a
	// span (Queries, Mutations).
	Tracer trace.Tracer
	// CatalogVersion, when set, numbers the versions of the currencies and
	// rates beneath (inmem.Catalog.Version): identical catalog queries of
	// one version then share one execution.
	CatalogVersion func() int64
}

// Counters count events of the resolvers, for metrics.
type Counters struct {
	LoginFailures  atomic.Int64 // wrong login names or passwords
	LoginThrottled atomic.Int64 // logins refused by the throttle
}
