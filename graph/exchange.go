package graph

import (
	"context"
	"strconv"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// parseRateFilter parses the optional base and target codes of a rate
// filter. It returns EINVALID.
func parseRateFilter(base, target *string) (model.RateFilter, error) {
	var (
		f   model.RateFilter
		err error
	)
	if base != nil {
		if f.BaseCode, err = model.ParseCode("base", *base); err != nil {
			return f, err
		}
	}
	if target != nil {
		if f.TargetCode, err = model.ParseCode("target", *target); err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseStoredPair parses a pair of six letters naming two different
// currencies. It returns EINVALID.
func parseStoredPair(s string) (model.Pair, error) {
	p, err := model.ParsePair("pair", s)
	if err != nil {
		return model.Pair{}, err
	}
	return p, p.Validate()
}

// convert converts amount of from into to by the rules of model.Convert. It
// returns EINVALID for malformed input, ENOTFOUND "Currency not found" for an
// unknown code and ENOTFOUND "Exchange rate not found" when no path exists.
func (r *Resolver) convert(ctx context.Context, fromCode, toCode string, amount model.Decimal) (*gqlmodel.Conversion, error) {
	fromCode, err := model.ParseCode("from", fromCode)
	if err != nil {
		return nil, err
	}
	toCode, err = model.ParseCode("to", toCode)
	if err != nil {
		return nil, err
	}
	if err := model.RequirePositive("amount", amount); err != nil {
		return nil, err
	}
	found, err := r.CurrencyService.FindCurrenciesByCodes(ctx, []string{fromCode, toCode})
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]*model.Currency, len(found))
	for _, c := range found {
		byCode[c.Code] = c
	}
	if byCode[fromCode] == nil || byCode[toCode] == nil {
		return nil, model.Errorf(model.ENOTFOUND, "Currency not found")
	}
	rates, err := r.ratesFor(ctx, model.Pair{Base: fromCode, Target: toCode})
	if err != nil {
		return nil, err
	}
	c, err := model.Convert(fromCode, toCode, amount, rates)
	if err != nil {
		return nil, err
	}
	var via *model.Currency
	if c.Via != "" {
		if via, err = r.CurrencyService.FindCurrencyByCode(ctx, c.Via); err != nil {
			return nil, err
		}
	}
	return toGraphConversion(c, byCode[fromCode], byCode[toCode], via), nil
}

// graphRates converts stored rates for the graph, their currencies read in
// one call (from memory, with the read model beneath). A currency deleted
// meanwhile is ENOTFOUND.
func (r *Resolver) graphRates(ctx context.Context, rates []*model.ExchangeRate) ([]*gqlmodel.ExchangeRate, error) {
	ids := make([]int64, 0, 2*len(rates))
	for _, rate := range rates {
		ids = append(ids, rate.BaseID, rate.TargetID)
	}
	found, err := r.CurrencyService.FindCurrenciesByIDs(ctx, uniqueIDs(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Currency, len(found))
	for _, c := range found {
		byID[c.ID] = c
	}
	out := make([]*gqlmodel.ExchangeRate, len(rates))
	for i, rate := range rates {
		base, target := byID[rate.BaseID], byID[rate.TargetID]
		if base == nil || target == nil {
			return nil, model.Errorf(model.ENOTFOUND, "Currency not found")
		}
		out[i] = toGraphRate(rate, base, target)
	}
	return out, nil
}

// graphRate converts one stored rate, inverted when asked. ENOTFOUND.
func (r *Resolver) graphRate(ctx context.Context, rate *model.ExchangeRate, inverted bool) (*gqlmodel.ExchangeRate, error) {
	list, err := r.graphRates(ctx, []*model.ExchangeRate{rate})
	if err != nil {
		return nil, err
	}
	if inverted {
		return toGraphInvertedRate(rate, list[0].Base, list[0].Target), nil
	}
	return list[0], nil
}

// uniqueIDs returns ids without repeats, in place.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ratesFor returns the stored rates model.Convert needs for pair: none for
// one currency, the stored rate of the pair or of its reverse when there is
// one (the rule takes it before any cross rate), else every rate touching
// either currency.
func (r *Resolver) ratesFor(ctx context.Context, pair model.Pair) ([]*model.ExchangeRate, error) {
	if pair.Base == pair.Target {
		return nil, nil
	}
	for _, p := range []model.Pair{pair, {Base: pair.Target, Target: pair.Base}} {
		rate, err := r.RateService.FindExchangeRate(ctx, p)
		if err == nil {
			return []*model.ExchangeRate{rate}, nil
		} else if model.ErrorCode(err) != model.ENOTFOUND {
			return nil, err
		}
	}
	return r.RateService.FindRatesTouching(ctx, pair.Base, pair.Target)
}

// listCurrencies pages through the currencies by code, forward or from the
// end. EINVALID.
func (r *Resolver) listCurrencies(ctx context.Context, a pageArgs) (*gqlmodel.CurrencyConnection, error) {
	back, limit, field, cursor, err := r.readPage(a)
	if err != nil {
		return nil, err
	}
	code, err := decodeCursor(field, currencyCursor, cursor)
	if err != nil {
		return nil, err
	}
	list, total, err := r.CurrencyService.FindCurrencies(ctx, keyPage(back, code, limit+1))
	if err != nil {
		return nil, err
	}
	edges, pi := keysetConnection(back, list, limit, code != "",
		func(_ int, c *model.Currency) string { return encodeCursor(currencyCursor, c.Code) },
		func(cursor string, c *model.Currency) *gqlmodel.CurrencyEdge {
			return &gqlmodel.CurrencyEdge{Cursor: cursor, Node: c}
		})
	return &gqlmodel.CurrencyConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}

// listRates pages through the stored rates the filter selects by id,
// forward or from the end. EINVALID.
func (r *Resolver) listRates(ctx context.Context, filter model.RateFilter, a pageArgs) (*gqlmodel.ExchangeRateConnection, error) {
	back, limit, field, cursor, err := r.readPage(a)
	if err != nil {
		return nil, err
	}
	id, err := decodeRateCursor(field, cursor)
	if err != nil {
		return nil, err
	}
	list, total, err := r.RateService.FindExchangeRates(ctx, filter, keyPage(back, id, limit+1))
	if err != nil {
		return nil, err
	}
	nodes, err := r.graphRates(ctx, list)
	if err != nil {
		return nil, err
	}
	edges, pi := keysetConnection(back, nodes, limit, id != 0,
		func(_ int, rate *gqlmodel.ExchangeRate) string {
			return encodeCursor(rateCursor, strconv.FormatInt(rate.StoredID, 10))
		},
		func(cursor string, rate *gqlmodel.ExchangeRate) *gqlmodel.ExchangeRateEdge {
			return &gqlmodel.ExchangeRateEdge{Cursor: cursor, Node: rate}
		})
	return &gqlmodel.ExchangeRateConnection{Edges: edges, PageInfo: pi, TotalCount: total}, nil
}

// createCurrency creates the currency of input. EINVALID, ECONFLICT.
func (r *Resolver) createCurrency(ctx context.Context, input gqlmodel.CreateCurrencyInput) (*model.Currency, error) {
	c, err := model.NewCurrency(input.Code, input.Name, input.Sign)
	if err != nil {
		return nil, err
	}
	if err := r.CurrencyService.CreateCurrency(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// updateCurrency applies input to the currency with the code. EINVALID,
// ENOTFOUND.
func (r *Resolver) updateCurrency(ctx context.Context, code string, input gqlmodel.UpdateCurrencyInput) (*model.Currency, error) {
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

// deleteCurrency deletes the currency with the code and its rates.
// EINVALID, ENOTFOUND.
func (r *Resolver) deleteCurrency(ctx context.Context, code string) (*model.Currency, error) {
	code, err := model.ParseCode("code", code)
	if err != nil {
		return nil, err
	}
	c, _, err := r.CurrencyService.DeleteCurrency(ctx, code)
	return c, err
}

// findCurrency returns the currency with the code (any case). EINVALID,
// ENOTFOUND.
func (r *Resolver) findCurrency(ctx context.Context, code string) (*model.Currency, error) {
	code, err := model.ParseCode("code", code)
	if err != nil {
		return nil, err
	}
	return r.CurrencyService.FindCurrencyByCode(ctx, code)
}

// createRate stores the pair of input. EINVALID, ENOTFOUND, ECONFLICT.
func (r *Resolver) createRate(ctx context.Context, input gqlmodel.CreateExchangeRateInput) (*gqlmodel.ExchangeRate, error) {
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
	return r.graphRate(ctx, rate, false)
}

// updateRate sets the rate of a stored pair. EINVALID, ENOTFOUND.
func (r *Resolver) updateRate(ctx context.Context, pair string, rate model.Decimal) (*gqlmodel.ExchangeRate, error) {
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
	return r.graphRate(ctx, cur, false)
}

// deleteRate deletes a stored pair. EINVALID, ENOTFOUND.
func (r *Resolver) deleteRate(ctx context.Context, pair string) (*gqlmodel.ExchangeRate, error) {
	p, err := parseStoredPair(pair)
	if err != nil {
		return nil, err
	}
	rate, err := r.RateService.DeleteExchangeRate(ctx, p)
	if err != nil {
		return nil, err
	}
	return r.graphRate(ctx, rate, false)
}

// findRate returns the stored rate of the pair, or else the inverse of the
// stored reverse pair. EINVALID, ENOTFOUND when neither is stored.
func (r *Resolver) findRate(ctx context.Context, pair string) (*gqlmodel.ExchangeRate, error) {
	p, err := parseStoredPair(pair)
	if err != nil {
		return nil, err
	}
	rate, err := r.RateService.FindExchangeRate(ctx, p)
	if err == nil {
		return r.graphRate(ctx, rate, false)
	} else if model.ErrorCode(err) != model.ENOTFOUND {
		return nil, err
	}
	rate, err = r.RateService.FindExchangeRate(ctx, model.Pair{Base: p.Target, Target: p.Base})
	if err != nil {
		return nil, err
	}
	return r.graphRate(ctx, rate, true)
}

// listRatesOf lists the stored rates with the optional base and target
// codes. EINVALID.
func (r *Resolver) listRatesOf(ctx context.Context, base, target *string, a pageArgs) (*gqlmodel.ExchangeRateConnection, error) {
	filter, err := parseRateFilter(base, target)
	if err != nil {
		return nil, err
	}
	return r.listRates(ctx, filter, a)
}
