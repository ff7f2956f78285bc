package graph

import (
	"context"

	"github.com/fxgraph/gateway/model"
)

// authorize is the one authorization helper: every resolver calls it first
// with the permission its operation needs, and gets the principal. When the
// request carried credentials that were refused, every operation but those
// open to anyone fails with that refusal. It returns EUNAUTHORIZED or
// EFORBIDDEN.
func (r *Resolver) authorize(ctx context.Context, perm model.Permission) (*model.Principal, error) {
	p := model.PrincipalFromContext(ctx)
	if err := model.AuthErrorFromContext(ctx); err != nil && perm(nil) != nil {
		return nil, err
	}
	if err := model.Authorize(p, perm); err != nil {
		return nil, err
	}
	return p, nil
}

// Authenticated returns nil when the request is signed in with valid
// credentials, and its refusal otherwise: EUNAUTHORIZED (no or a refused
// token) or EFORBIDDEN (a token of the wrong type). The legacy surfaces
// whose services checked the token before the request's values call it
// first; every resolver still authorizes its own operation.
func (r *Resolver) Authenticated(ctx context.Context) error {
	_, err := r.authorize(ctx, model.SignedIn())
	return err
}
