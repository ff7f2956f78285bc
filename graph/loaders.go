package graph

import (
	"context"
	"errors"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/fxgraph/gateway/model"
)

// Loaders batch the reads that a list would otherwise make once per row.
// One set serves one GraphQL operation.
type Loaders struct {
	CurrencyByID     *dataloadgen.Loader[int64, *model.Currency]
	UserByID         *dataloadgen.Loader[int64, *model.User]
	OrganizationByID *dataloadgen.Loader[int64, *model.Organization]
}

type loadersKey struct{}

// newLoaders returns loaders reading from the store.
func (r *Resolver) newLoaders() *Loaders {
	return &Loaders{
		CurrencyByID:     newByIDLoader(r.CurrencyService.FindCurrenciesByIDs, func(c *model.Currency) int64 { return c.ID }),
		UserByID:         newByIDLoader(r.UserService.FindUsersByIDs, func(u *model.User) int64 { return u.ID }),
		OrganizationByID: newByIDLoader(r.OrganizationService.FindOrganizationsByIDs, func(o *model.Organization) int64 { return o.ID }),
	}
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

// primeRateCurrencies loads the currencies of a page of rates in one batch,
// so that their base and target fields find them cached: the statement count
// of a list does not depend on its length, nor on goroutine timing.
func (r *Resolver) primeRateCurrencies(ctx context.Context, rates []*model.ExchangeRate) error {
	seen := make(map[int64]bool, 2*len(rates))
	ids := make([]int64, 0, 2*len(rates))
	for _, rate := range rates {
		for _, id := range []int64{rate.BaseID, rate.TargetID} {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	_, err := r.loaders(ctx).CurrencyByID.LoadAll(ctx, ids)
	var errs dataloadgen.ErrorSlice
	if !errors.As(err, &errs) {
		return err
	}
	for _, err := range errs {
		// A currency deleted meanwhile fails on its own field.
		if err != nil && !errors.Is(err, dataloadgen.ErrNotFound) {
			return err
		}
	}
	return nil
}

// currencyByID loads one currency through the operation's loader. A
// currency deleted meanwhile is ENOTFOUND.
func (r *Resolver) currencyByID(ctx context.Context, id int64) (*model.Currency, error) {
	c, err := r.loaders(ctx).CurrencyByID.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, model.Errorf(model.ENOTFOUND, "Currency not found")
	}
	return c, err
}

// userByID loads one user through the operation's loader. ENOTFOUND.
func (r *Resolver) userByID(ctx context.Context, id int64) (*model.User, error) {
	u, err := r.loaders(ctx).UserByID.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, model.Errorf(model.ENOTFOUND, "User not found")
	}
	return u, err
}

// organizationByID loads one organization through the operation's loader.
// ENOTFOUND.
func (r *Resolver) organizationByID(ctx context.Context, id int64) (*model.Organization, error) {
	o, err := r.loaders(ctx).OrganizationByID.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, model.Errorf(model.ENOTFOUND, "Organization not found")
	}
	return o, err
}
