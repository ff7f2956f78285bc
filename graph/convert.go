package graph

import (
	"math/big"

	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// toGraphRate converts a stored rate for the graph, with its currencies.
func toGraphRate(r *model.ExchangeRate, base, target *model.Currency) *gqlmodel.ExchangeRate {
	return &gqlmodel.ExchangeRate{
		ID:        rateGlobalID(base, target),
		StoredID:  r.ID,
		Base:      base,
		Target:    target,
		Rate:      r.Rate,
		UpdatedAt: r.UpdatedAt,
	}
}

// toGraphInvertedRate converts a stored rate, whose currencies are base and
// target, into its inverse, the rate of the reverse pair. Its id differs
// from the stored rate's so that client caches keep the two apart.
func toGraphInvertedRate(r *model.ExchangeRate, base, target *model.Currency) *gqlmodel.ExchangeRate {
	return &gqlmodel.ExchangeRate{
		ID:        rateGlobalID(target, base),
		StoredID:  r.ID,
		Base:      target,
		Target:    base,
		Rate:      model.RatToDecimal(new(big.Rat).Inv(r.Rate.Rat())),
		Inverted:  true,
		UpdatedAt: r.UpdatedAt,
	}
}

// toGraphConversion converts a conversion, given its resolved currencies.
func toGraphConversion(c *model.Conversion, from, to, via *model.Currency) *gqlmodel.Conversion {
	return &gqlmodel.Conversion{
		From:            from,
		To:              to,
		Via:             via,
		Rate:            c.Rate,
		Amount:          c.Amount,
		ConvertedAmount: c.ConvertedAmount,
		Path:            c.Path,
	}
}
