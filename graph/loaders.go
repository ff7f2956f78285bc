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
	CurrencyByID *dataloadgen.Loader[int64, *model.Currency]
}

type loadersKey struct{}

// newLoaders returns loaders reading from the store.
func newLoaders(currencies model.CurrencyService) *Loaders {
	return &Loaders{
		CurrencyByID: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]*model.Currency, error) {
			list, err := currencies.FindCurrenciesByIDs(ctx, ids)
			if err != nil {
				return nil, err
			}
			byID := make(map[int64]*model.Currency, len(list))
			for _, c := range list {
				byID[c.ID] = c
			}
			return byID, nil
		}, dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(2*MaxPageSize)),
	}
}

func withLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// loaders returns the operation's loaders, or new ones outside an
// operation (a direct call from REST), where there is nothing to batch.
func (r *Resolver) loaders(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return newLoaders(r.CurrencyService)
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
