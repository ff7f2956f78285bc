package graph

import (
	"context"

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
	var rates []*model.ExchangeRate
	if fromCode != toCode {
		if rates, err = r.RateService.FindRatesTouching(ctx, fromCode, toCode); err != nil {
			return nil, err
		}
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
