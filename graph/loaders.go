package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/fxgraph/gateway/model"
)

// Loaders batch the reads of users and organizations that a list would
// otherwise make once per row. One set serves one GraphQL operation, and
// each loader is made only when the operation first needs it: most
// operations need none. Currencies need none: the read model answers from
// memory, and a rate's currencies are resolved with it.
type Loaders struct {
	r            *Resolver
	users        sync.Once
	userByID     *dataloadgen.Loader[int64, *model.User]
	orgs         sync.Once
	organization *dataloadgen.Loader[int64, *model.Organization]
}

type loadersKey struct{}

// newLoaders returns an operation's loaders, none made yet.
func (r *Resolver) newLoaders() *Loaders { return &Loaders{r: r} }

// UserByID returns the operation's user loader.
func (l *Loaders) UserByID() *dataloadgen.Loader[int64, *model.User] {
	l.users.Do(func() {
		l.userByID = newByIDLoader(l.r.UserService.FindUsersByIDs, func(u *model.User) int64 { return u.ID })
	})
	return l.userByID
}

// OrganizationByID returns the operation's organization loader.
func (l *Loaders) OrganizationByID() *dataloadgen.Loader[int64, *model.Organization] {
	l.orgs.Do(func() {
		l.organization = newByIDLoader(l.r.OrganizationService.FindOrganizationsByIDs, func(o *model.Organization) int64 { return o.ID })
	})
	return l.organization
}

// newByIDLoader batches the loads of one operation into calls of find.
func newByIDLoader[T any](find func(context.Context, []int64) ([]*T, error), id func(*T) int64) *dataloadgen.Loader[int64, *T] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*T, error) {
		list, err := find(ctx, ids)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*T, len(list))
		for _, v := range list {
			byID[id(v)] = v
		}
		return byID, nil
	}, dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(2*MaxPageSize))
}

func withLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// WithLoaders returns ctx with fresh dataloaders, for a caller outside
// GraphQL (a REST route) whose work is one operation: lists then batch
// their reads as they do in the graph.
func (r *Resolver) WithLoaders(ctx context.Context) context.Context {
	return withLoaders(ctx, r.newLoaders())
}

// loaders returns the operation's loaders, or new ones outside an
// operation (a direct call from REST), where there is nothing to batch.
func (r *Resolver) loaders(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return r.newLoaders()
}

// userByID loads one user through the operation's loader. ENOTFOUND.
func (r *Resolver) userByID(ctx context.Context, id int64) (*model.User, error) {
	u, err := r.loaders(ctx).UserByID().Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, model.Errorf(model.ENOTFOUND, "User not found")
	}
	return u, err
}

// organizationByID loads one organization through the operation's loader.
// ENOTFOUND.
func (r *Resolver) organizationByID(ctx context.Context, id int64) (*model.Organization, error) {
	o, err := r.loaders(ctx).OrganizationByID().Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, model.Errorf(model.ENOTFOUND, "Organization not found")
	}
	return o, err
}
