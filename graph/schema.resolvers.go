package graph

import (
	"context"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/graph/generated"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// ID is the field resolver for the id field.
func (r *currencyResolver) ID(ctx context.Context, obj *model.Currency) (string, error) {
	return strconv.FormatInt(obj.ID, 10), nil
}

// Base is the field resolver for the base field.
func (r *exchangeRateResolver) Base(ctx context.Context, obj *gqlmodel.ExchangeRate) (*model.Currency, error) {
	return r.currencyByID(ctx, obj.BaseID)
}

// Target is the field resolver for the target field.
func (r *exchangeRateResolver) Target(ctx context.Context, obj *gqlmodel.ExchangeRate) (*model.Currency, error) {
	return r.currencyByID(ctx, obj.TargetID)
}

// CreateCurrency is the resolver for the createCurrency field.
func (r *mutationResolver) CreateCurrency(ctx context.Context, input gqlmodel.CreateCurrencyInput) (*model.Currency, error) {
	if err := r.authorize(ctx, model.ScopeCurrencyCreate); err != nil {
		return nil, err
	}
	c, err := model.NewCurrency(input.Code, input.Name, input.Sign)
	if err != nil {
		return nil, err
	}
	if err := r.CurrencyService.CreateCurrency(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateCurrency is the resolver for the updateCurrency field.
func (r *mutationResolver) UpdateCurrency(ctx context.Context, code string, input gqlmodel.UpdateCurrencyInput) (*model.Currency, error) {
	if err := r.authorize(ctx, model.ScopeCurrencyUpdate); err != nil {
		return nil, err
	}
	code, err := model.ParseCode("code", code)
	if err != nil {
		return nil, err
	}
	var upd model.CurrencyUpdate
	if input.Name != nil {
		name, err := model.ParseCurrencyName(*input.Name)
		if err != nil {
			return nil, err
		}
		upd.Name = &name
	}
	if input.Sign != nil {
		sign, err := model.ParseCurrencySign(*input.Sign)
		if err != nil {
			return nil, err
		}
		upd.Sign = &sign
	}
	return r.CurrencyService.UpdateCurrency(ctx, code, upd)
}

// DeleteCurrency is the resolver for the deleteCurrency field.
func (r *mutationResolver) DeleteCurrency(ctx context.Context, code string) (*model.Currency, error) {
	if err := r.authorize(ctx, model.ScopeCurrencyDelete); err != nil {
		return nil, err
	}
	code, err := model.ParseCode("code", code)
	if err != nil {
		return nil, err
	}
	c, _, err := r.CurrencyService.DeleteCurrency(ctx, code)
	return c, err
}

// CreateExchangeRate is the resolver for the createExchangeRate field.
func (r *mutationResolver) CreateExchangeRate(ctx context.Context, input gqlmodel.CreateExchangeRateInput) (*gqlmodel.ExchangeRate, error) {
	if err := r.authorize(ctx, model.ScopeRateCreate); err != nil {
		return nil, err
	}
	pair, err := model.NewPair("baseCode", input.BaseCode, "targetCode", input.TargetCode)
	if err != nil {
		return nil, err
	}
	if err := model.RequirePositive("rate", input.Rate); err != nil {
		return nil, err
	}
	rate, err := r.RateService.CreateExchangeRate(ctx, pair, input.Rate)
	if err != nil {
		return nil, err
	}
	return toGraphRate(rate), nil
}

// UpdateExchangeRate is the resolver for the updateExchangeRate field.
func (r *mutationResolver) UpdateExchangeRate(ctx context.Context, pair string, rate decimal.Decimal) (*gqlmodel.ExchangeRate, error) {
	if err := r.authorize(ctx, model.ScopeRateUpdate); err != nil {
		return nil, err
	}
	p, err := parseStoredPair(pair)
	if err != nil {
		return nil, err
	}
	if err := model.RequirePositive("rate", rate); err != nil {
		return nil, err
	}
	_, cur, err := r.RateService.UpdateExchangeRate(ctx, p, rate)
	if err != nil {
		return nil, err
	}
	return toGraphRate(cur), nil
}

// DeleteExchangeRate is the resolver for the deleteExchangeRate field.
func (r *mutationResolver) DeleteExchangeRate(ctx context.Context, pair string) (*gqlmodel.ExchangeRate, error) {
	if err := r.authorize(ctx, model.ScopeRateDelete); err != nil {
		return nil, err
	}
	p, err := parseStoredPair(pair)
	if err != nil {
		return nil, err
	}
	rate, err := r.RateService.DeleteExchangeRate(ctx, p)
	if err != nil {
		return nil, err
	}
	return toGraphRate(rate), nil
}

// Currencies is the resolver for the currencies field.
func (r *queryResolver) Currencies(ctx context.Context, first *int, after *string) (*gqlmodel.CurrencyConnection, error) {
	if err := r.authorize(ctx, model.ScopeCurrencyRead); err != nil {
		return nil, err
	}
	limit, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	afterCode, err := decodeCursor(currencyCursor, after)
	if err != nil {
		return nil, err
	}
	list, total, err := r.CurrencyService.FindCurrencies(ctx, afterCode, limit+1)
	if err != nil {
		return nil, err
	}
	hasNext := len(list) > limit
	list = list[:min(len(list), limit)]
	conn := &gqlmodel.CurrencyConnection{Edges: make([]*gqlmodel.CurrencyEdge, len(list)), TotalCount: total}
	cursors := make([]string, len(list))
	for i, c := range list {
		cursors[i] = encodeCursor(currencyCursor, c.Code)
		conn.Edges[i] = &gqlmodel.CurrencyEdge{Cursor: cursors[i], Node: c}
	}
	conn.PageInfo = pageInfo(cursors, hasNext, afterCode != "")
	return conn, nil
}

// Currency is the resolver for the currency field.
func (r *queryResolver) Currency(ctx context.Context, code string) (*model.Currency, error) {
	if err := r.authorize(ctx, model.ScopeCurrencyRead); err != nil {
		return nil, err
	}
	code, err := model.ParseCode("code", code)
	if err != nil {
		return nil, err
	}
	return r.CurrencyService.FindCurrencyByCode(ctx, code)
}

// ExchangeRates is the resolver for the exchangeRates field.
func (r *queryResolver) ExchangeRates(ctx context.Context, base *string, target *string, first *int, after *string) (*gqlmodel.ExchangeRateConnection, error) {
	if err := r.authorize(ctx, model.ScopeRateRead); err != nil {
		return nil, err
	}
	var (
		filter model.RateFilter
		err    error
	)
	if base != nil {
		if filter.BaseCode, err = model.ParseCode("base", *base); err != nil {
			return nil, err
		}
	}
	if target != nil {
		if filter.TargetCode, err = model.ParseCode("target", *target); err != nil {
			return nil, err
		}
	}
	limit, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	afterID, err := decodeRateCursor(after)
	if err != nil {
		return nil, err
	}
	list, total, err := r.RateService.FindExchangeRates(ctx, filter, model.Page{After: afterID, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	hasNext := len(list) > limit
	list = list[:min(len(list), limit)]
	if err := r.primeRateCurrencies(ctx, list); err != nil {
		return nil, err
	}
	conn := &gqlmodel.ExchangeRateConnection{Edges: make([]*gqlmodel.ExchangeRateEdge, len(list)), TotalCount: total}
	cursors := make([]string, len(list))
	for i, rate := range list {
		cursors[i] = encodeCursor(rateCursor, strconv.FormatInt(rate.ID, 10))
		conn.Edges[i] = &gqlmodel.ExchangeRateEdge{Cursor: cursors[i], Node: toGraphRate(rate)}
	}
	conn.PageInfo = pageInfo(cursors, hasNext, afterID != 0)
	return conn, nil
}

// ExchangeRate is the resolver for the exchangeRate field.
func (r *queryResolver) ExchangeRate(ctx context.Context, pair string) (*gqlmodel.ExchangeRate, error) {
	if err := r.authorize(ctx, model.ScopeRateRead); err != nil {
		return nil, err
	}
	p, err := parseStoredPair(pair)
	if err != nil {
		return nil, err
	}
	rate, err := r.RateService.FindExchangeRate(ctx, p)
	if err == nil {
		return toGraphRate(rate), nil
	} else if model.ErrorCode(err) != model.ENOTFOUND {
		return nil, err
	}
	rate, err = r.RateService.FindExchangeRate(ctx, model.Pair{Base: p.Target, Target: p.Base})
	if err != nil {
		return nil, err
	}
	return toGraphInvertedRate(rate), nil
}

// Convert is the resolver for the convert field.
func (r *queryResolver) Convert(ctx context.Context, from string, to string, amount decimal.Decimal) (*gqlmodel.Conversion, error) {
	if err := r.authorize(ctx, model.ScopeRateRead); err != nil {
		return nil, err
	}
	c, err := r.convert(ctx, from, to, amount)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Currency returns generated.CurrencyResolver implementation.
func (r *Resolver) Currency() generated.CurrencyResolver { return &currencyResolver{r} }

// ExchangeRate returns generated.ExchangeRateResolver implementation.
func (r *Resolver) ExchangeRate() generated.ExchangeRateResolver { return &exchangeRateResolver{r} }

// Mutation returns generated.MutationResolver implementation.
func (r *Resolver) Mutation() generated.MutationResolver { return &mutationResolver{r} }

// Query returns generated.QueryResolver implementation.
func (r *Resolver) Query() generated.QueryResolver { return &queryResolver{r} }

type currencyResolver struct{ *Resolver }
type exchangeRateResolver struct{ *Resolver }
type mutationResolver struct{ *Resolver }
type queryResolver struct{ *Resolver }
