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
		}, dataloadgen.WithWait(time.Millisecond), dataloadgen.WithBatchCapacity(1000)),
	}
}

func withLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// currencyByID loads one currency through the operation's loader. A
// currency deleted meanwhile is ENOTFOUND.
func (r *Resolver) currencyByID(ctx context.Context, id int64) (*model.Currency, error) {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		// Outside an operation (a direct call from REST): no batching needed.
		l = newLoaders(r.CurrencyService)
	}
	c, err := l.CurrencyByID.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, model.Errorf(model.ENOTFOUND, "Currency not found")
	}
	return c, err
}
