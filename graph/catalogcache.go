package graph

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fxgraph/gateway/model"
)

// catalogFields are the root fields whose answers are a function of their
// arguments and of the catalog (the read model's currencies and rates)
// alone, for every caller the catalog rule (model.CanReadCatalog) admits.
var catalogFields = map[string]bool{
	"currencies": true, "currency": true, "exchangeRates": true, "exchangeRate": true,
	"convert": true, "__typename": true,
}

// catalogCache shares one execution among the identical catalog queries
// of one catalog version: a query whose every root field is a catalog
// field, asked by a caller the catalog rule admits, is answered from the
// response an earlier identical query (same document, operation and
// variables) got from the resolvers while the catalog was at the same
// version. A new version (any write to currencies or rates, here or on
// another instance) starts an empty cache. Answers with errors are not
// kept. The operation is still parsed, validated and limited by gqlgen's
// executor first; only its execution is shared.
type catalogCache struct {
	version  func() int64
	maxBytes int

	plans *lru.LRU[bool] // by document and operation: reads the catalog only

	mu      sync.RWMutex
	at      int64 // the version of entries
	entries map[string]*graphql.Response
	bytes   int
}

// newCatalogCache returns a cache of at most maxBytes of answers.
func newCatalogCache(version func() int64, maxBytes int) *catalogCache {
	return &catalogCache{version: version, maxBytes: maxBytes, plans: lru.New[bool](1000), entries: map[string]*graphql.Response{}}
}

var (
	_ graphql.HandlerExtension     = (*catalogCache)(nil)
	_ graphql.OperationInterceptor = (*catalogCache)(nil)
)

// ExtensionName implements graphql.HandlerExtension.
func (*catalogCache) ExtensionName() string { return "CatalogCache" }

// Validate implements graphql.HandlerExtension.
func (*catalogCache) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation answers a catalog query from the cache, or runs it and
// keeps its answer.
func (c *catalogCache) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query ||
		model.AuthErrorFromContext(ctx) != nil || !model.CanReadCatalog(model.PrincipalFromContext(ctx)) {
		return next(ctx)
	}
	plan := oc.RawQuery + "\x00" + oc.OperationName
	catalogOnly, ok := c.plans.Get(ctx, plan)
	if !ok {
		catalogOnly = readsCatalogOnly(oc.Operation.SelectionSet, oc.Doc.Fragments)
		c.plans.Add(ctx, plan, catalogOnly)
	}
	if !catalogOnly {
		return next(ctx)
	}
	vars, err := json.Marshal(oc.Variables) // map keys sorted: one key per value
	if err != nil {
		return next(ctx)
	}
	key := plan + "\x00" + string(vars)
	version := c.version()
	if resp := c.get(version, key); resp != nil {
		return graphql.OneShot(resp)
	}
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp != nil && len(resp.Errors) == 0 && resp.Data != nil && len(resp.Extensions) == 0 {
			c.put(version, key, resp)
		}
		return resp
	}
}

// get returns a copy of the answer kept for key at version, or nil.
func (c *catalogCache) get(version int64, key string) *graphql.Response {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.at != version {
		return nil
	}
	if resp := c.entries[key]; resp != nil {
		cp := *resp
		return &cp
	}
	return nil
}

// put keeps resp for key at version: a newer version empties the cache, an
// older one is not kept, and nothing is kept past maxBytes.
func (c *catalogCache) put(version int64, key string, resp *graphql.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version < c.at {
		return
	}
	if version > c.at {
		c.at, c.entries, c.bytes = version, map[string]*graphql.Response{}, 0
	}
	size := len(key) + len(resp.Data)
	if c.bytes+size > c.maxBytes {
		return
	}
	cp := *resp
	c.entries[key] = &cp
	c.bytes += size
}

// readsCatalogOnly reports whether every root field of set, through its
// fragments, is a catalog field, with no directive but @skip and @include.
func readsCatalogOnly(set ast.SelectionSet, fragments ast.FragmentDefinitionList) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !catalogFields[s.Name] || !plainDirectives(s.Directives) || !noDirectivesBelow(s.SelectionSet, fragments, 0) {
				return false
			}
		case *ast.InlineFragment:
			if !plainDirectives(s.Directives) || !readsCatalogOnly(s.SelectionSet, fragments) {
				return false
			}
		case *ast.FragmentSpread:
			f := fragments.ForName(s.Name)
			if f == nil || !plainDirectives(s.Directives) || !readsCatalogOnly(f.SelectionSet, fragments) {
				return false
			}
		}
	}
	return true
}

// noDirectivesBelow reports whether set uses no directive but @skip and
// @include (@defer, say, answers in several parts).
func noDirectivesBelow(set ast.SelectionSet, fragments ast.FragmentDefinitionList, depth int) bool {
	if depth > 64 {
		return false
	}
	for _, sel := range set {
		var dirs ast.DirectiveList
		var sub ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			dirs, sub = s.Directives, s.SelectionSet
		case *ast.InlineFragment:
			dirs, sub = s.Directives, s.SelectionSet
		case *ast.FragmentSpread:
			f := fragments.ForName(s.Name)
			if f == nil || !plainDirectives(f.Directives) {
				return false
			}
			dirs, sub = s.Directives, f.SelectionSet
		}
		if !plainDirectives(dirs) || !noDirectivesBelow(sub, fragments, depth+1) {
			return false
		}
	}
	return true
}

func plainDirectives(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}
