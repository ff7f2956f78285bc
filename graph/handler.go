package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fxgraph/gateway/graph/generated"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/internal/reqinfo"
)

// NewHandler returns the GraphQL endpoint: GET and POST transports (and
// OPTIONS) answering as GraphQL over HTTP asks (overHTTP), websockets when
// configured, the limits, the error presenter, per-operation dataloaders.
// Request bodies are bounded by the HTTP server, not here.
func NewHandler(r *Resolver, limits Limits, opts ...HandlerOption) http.Handler {
	var o handlerOptions
	for _, opt := range opts {
		opt(&o)
	}
	cfg := generated.Config{Resolvers: tracedRoot{r}}
	setComplexity(&cfg.Complexity, r.Pages)
	srv := handler.New(generated.NewExecutableSchema(cfg))

	if o.ws != nil {
		srv.AddTransport(o.ws.transport)
		srv.AddTransport(sse{o.ws}) // before POST and GET: it claims their text/event-stream requests
	}
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	for _, ext := range o.extensions {
		srv.Use(ext)
	}
	if r.Tracer != nil {
		srv.Use(operationSpans{r.Tracer})
	}
	queries := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(limits.MaxTokens)
	srv.SetDisableSuggestion(!limits.Introspection)
	srv.SetErrorPresenter(errorPresenter(r.Logger, limits.Introspection))
	srv.SetRecoverFunc(recoverFunc(r.Logger))
	if limits.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(documentLimit{Limits: limits, cache: queries})
	srv.Use(extension.FixedComplexityLimit(limits.MaxComplexity))
	srv.Use(streamingOnly{}) // the last mutator
	srv.AroundResponses(capErrors(limits.MaxErrors))
	if o.timeout > 0 {
		srv.AroundResponses(deadline(o.timeout))
	}
	if r.CatalogVersion != nil {
		srv.Use(newCatalogCache(r.CatalogVersion, catalogCacheBytes))
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil {
			reqinfo.From(ctx).SetOperation(oc.Operation.Name, string(oc.Operation.Operation))
		}
		if isSubscription(ctx) {
			return next(ctx) // nothing to batch, and it lives long
		}
		return next(withLoaders(ctx, r.newLoaders()))
	})
	return overHTTP(srv)
}

// deadline runs each response of a query or mutation under a deadline of d
// (unless it has one already, as every HTTP request has): the resolvers
// and their SQL stop when it passes.
func deadline(d time.Duration) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if _, has := ctx.Deadline(); has || isSubscription(ctx) {
			return next(ctx)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return next(ctx)
	}
}

func isSubscription(ctx context.Context) bool {
	oc := graphql.GetOperationContext(ctx)
	return oc.Operation != nil && oc.Operation.Operation == ast.Subscription
}

// catalogCacheBytes bounds the answers the catalog cache keeps: about 250
// answers of 1,000 rates with both currencies.
const catalogCacheBytes = 32 << 20

// setComplexity makes every connection cost `first` or `last` (or the
// default page size) times its items, and nodes its ids times an item: ten
// aliases of users(first: 1000) cost what they ask for.
func setComplexity(c *generated.ComplexityRoot, pages PageSizes) {
	c.Query.Currencies = func(child int, first *int, _ *string, last *int, _ *string) int {
		return child * pages.cost(first, last)
	}
	c.Query.ExchangeRates = func(child int, _, _ *string, first *int, _ *string, last *int, _ *string) int {
		return child * pages.cost(first, last)
	}
	offsetPaged := func(child int, _ *string, _ *int, first *int, _ *string, last *int, _ *string) int {
		return child * pages.cost(first, last)
	}
	c.Query.Users, c.Query.AdminUsers, c.Query.Organizations = offsetPaged, offsetPaged, offsetPaged
	c.Organization.Members = func(child int, _ *int, first *int, _ *string, last *int, _ *string) int {
		return child * pages.cost(first, last)
	}
	c.Query.Nodes = func(child int, ids []string) int { return child * max(1, len(ids)) }
	c.Query.Resources = func(child int, _ *gqlmodel.ResourceKind, _ *string, first *int, _ *string, last *int, _ *string) int {
		return child * pages.cost(first, last)
	}
}
