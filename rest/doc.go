// Package rest serves the four legacy REST surfaces (fx, v1, v2 and
// accounts; see rules §1) on top of the graph's resolvers: decode the
// legacy request, call the same resolver code path GraphQL uses, encode the
// legacy shape and the surface's error body. It holds no SQL, no
// business rule and no authorization of its own. Its routes are listed in
// cmd/gateway/routes.go with every other route.
package rest

import (
	"log/slog"

	"github.com/fxgraph/gateway/graph"
)

// Surfaces are the four legacy surfaces.
type Surfaces struct {
	FX       FX
	V1       V1
	V2       V2
	Accounts Accounts
}

// NewSurfaces returns the four surfaces on the resolver r.
func NewSurfaces(r *graph.Resolver, logger *slog.Logger) Surfaces {
	fx, v1, v2, accounts := FX{R: r, Logger: logger}, V1{R: r, Logger: logger}, V2{R: r, Logger: logger}, Accounts{R: r, Logger: logger}
	// Each surface's routes answer errors with its writeError (which
	// reads only the logger).
	fx.routes, v1.routes = routes{r, fx.writeError}, routes{r, v1.writeError}
	v2.routes, accounts.routes = routes{r, v2.writeError}, routes{r, accounts.writeError}
	return Surfaces{FX: fx, V1: v1, V2: v2, Accounts: accounts}
}
