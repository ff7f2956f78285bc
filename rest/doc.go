// Package rest will serve the four legacy REST surfaces (fx, v1, v2 and
// accounts; see CONTRACT §1) on top of the graph's resolvers: decode the
// legacy request, call the same resolver code path GraphQL uses, encode the
// legacy shape and the surface's error body. It will hold no SQL, no
// business rule and no authorization of its own. Its routes are listed in
// cmd/gateway/routes.go with every other route.
package rest
