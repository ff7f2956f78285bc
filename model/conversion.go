package model

import (
	"math/big"
	"slices"
)

// ConversionPath says how a conversion found its rate.
type ConversionPath string

// The conversion paths, in the order they are tried.
const (
	PathIdentity ConversionPath = "IDENTITY" // same currency: rate 1
	PathDirect   ConversionPath = "DIRECT"   // the stored A→B rate
	PathReverse  ConversionPath = "REVERSE"  // the inverse of the stored B→A rate
	PathCross    ConversionPath = "CROSS"    // through a common currency, Via
)

// CrossPreferred is the common currency a cross rate goes through first.
const CrossPreferred = "USD"

// Conversion is the answer to "how much To is Amount of From".
type Conversion struct {
	From            string
	To              string
	Via             string // the common currency of a cross rate, else ""
	Path            ConversionPath
	Rate            Decimal // exact when it has a finite decimal expansion
	Amount          Decimal
	ConvertedAmount Decimal // Rate × Amount, rounded half-up to MoneyScale
}

// Convert converts amount of from into to using rates, which must hold every
// stored rate that touches from or to (more do no harm). The rules:
//
//   - from = to: rate 1;
//   - a stored from→to rate;
//   - else the inverse of a stored to→from rate;
//   - else a cross rate through a currency C linked to both (USD first when
//     it links both, otherwise the first such code in alphabetical order),
//     each leg taken in whichever direction is stored.
//
// The converted amount is computed exactly from the exact rate and rounded
// half-up to two places once. It returns ENOTFOUND when no path exists.
func Convert(from, to string, amount Decimal, rates []*ExchangeRate) (*Conversion, error) {
	c := &Conversion{From: from, To: to, Amount: amount}
	var rate *big.Rat
	if from == to {
		c.Path, rate = PathIdentity, big.NewRat(1, 1)
	} else if r := findRate(rates, from, to); r != nil {
		c.Path, rate = PathDirect, r.Rate.Rat()
	} else if r := findRate(rates, to, from); r != nil {
		c.Path, rate = PathReverse, new(big.Rat).Inv(r.Rate.Rat())
	} else {
		g := newRateGraph(rates)
		via, ok := g.commonCurrency(from, to)
		if !ok {
			return nil, Errorf(ENOTFOUND, "Exchange rate not found")
		}
		c.Path, c.Via = PathCross, via
		rate = new(big.Rat).Mul(g.leg(from, via), g.leg(via, to))
	}
	c.Rate = RatToDecimal(rate)
	c.ConvertedAmount = RoundHalfUp(new(big.Rat).Mul(rate, amount.Rat()), MoneyScale)
	return c, nil
}

// findRate returns the usable stored rate base→target among rates, or nil:
// a scan that converts nothing, so that a direct or reverse conversion
// costs no more than the rates it reads.
func findRate(rates []*ExchangeRate, base, target string) *ExchangeRate {
	for _, r := range rates {
		if r.BaseCode == base && r.TargetCode == target && r.Rate.IsPositive() {
			return r
		}
	}
	return nil
}

// rateGraph is the stored rates by pair, with each currency's neighbours in
// either direction; only the legs taken become exact rationals.
type rateGraph struct {
	direct     map[Pair]*ExchangeRate
	neighbours map[string]map[string]bool
}

func newRateGraph(rates []*ExchangeRate) *rateGraph {
	g := &rateGraph{direct: make(map[Pair]*ExchangeRate, len(rates)), neighbours: map[string]map[string]bool{}}
	link := func(a, b string) {
		if g.neighbours[a] == nil {
			g.neighbours[a] = map[string]bool{}
		}
		g.neighbours[a][b] = true
	}
	for _, r := range rates {
		if !r.Rate.IsPositive() {
			continue // never stored (a CHECK refuses it); never divided by
		}
		g.direct[Pair{r.BaseCode, r.TargetCode}] = r
		link(r.BaseCode, r.TargetCode)
		link(r.TargetCode, r.BaseCode)
	}
	return g
}

// commonCurrency returns the currency a cross rate from→to goes through.
func (g *rateGraph) commonCurrency(from, to string) (string, bool) {
	var common []string
	for c := range g.neighbours[from] {
		if c != to && g.neighbours[to][c] {
			common = append(common, c)
		}
	}
	if len(common) == 0 {
		return "", false
	}
	if slices.Contains(common, CrossPreferred) {
		return CrossPreferred, true
	}
	return slices.Min(common), true
}

// leg returns the rate a→b from the stored a→b rate, or else the inverse of
// the stored b→a rate. The caller knows one of them exists.
func (g *rateGraph) leg(a, b string) *big.Rat {
	if r, ok := g.direct[Pair{a, b}]; ok {
		return r.Rate.Rat()
	}
	return new(big.Rat).Inv(g.direct[Pair{b, a}].Rate.Rat())
}
