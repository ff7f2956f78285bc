package graph

import (
	"context"

	"github.com/fxgraph/gateway/model"
)

type principalKey struct{}

// WithPrincipal returns ctx carrying the principal making the request.
func WithPrincipal(ctx context.Context, p *model.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of ctx, or nil for an anonymous caller.
func PrincipalFrom(ctx context.Context) *model.Principal {
	p, _ := ctx.Value(principalKey{}).(*model.Principal)
	return p
}

// authorize is the one authorization helper: every resolver calls it first
// with the scope its operation needs. It returns EUNAUTHORIZED or EFORBIDDEN.
func (r *Resolver) authorize(ctx context.Context, need model.Scope) error {
	return model.Authorize(PrincipalFrom(ctx), need)
}
