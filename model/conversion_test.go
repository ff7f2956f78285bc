package model_test

import (
	"math/big"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
)

// dec parses an exact decimal; it panics on a malformed one, which is a
// broken test.
func dec(s string) model.Decimal { return decimal.RequireFromString(s) }

// rate returns a stored rate base→target with only the fields Convert reads.
func rate(base, target, r string) *model.ExchangeRate {
	return &model.ExchangeRate{BaseCode: base, TargetCode: target, Rate: dec(r)}
}

// exactConverted is rate × amount rounded half-up to two places, done here
// with math/big from the exact rational rate.
func exactConverted(exactRate *big.Rat, amount model.Decimal) string {
	return model.RoundHalfUp(new(big.Rat).Mul(exactRate, amount.Rat()), model.MoneyScale).StringFixed(model.MoneyScale)
}

func TestConvert(t *testing.T) {
	type testCase struct {
		name     string
		from, to string
		amount   string
		rates    []*model.ExchangeRate

		path      model.ConversionPath
		via       string
		exactRate string // the exact rational rate, such as "1/3"
		rate      string // Conversion.Rate.String()
		converted string // Conversion.ConvertedAmount.StringFixed(2)
	}
	tests := []testCase{
		// IDENTITY
		{name: "IdentityNoRates", from: "USD", to: "USD", amount: "100", rates: nil,
			path: model.PathIdentity, exactRate: "1", rate: "1", converted: "100.00"},
		{name: "IdentityRoundsHalfUp", from: "EUR", to: "EUR", amount: "1.005", rates: nil,
			path: model.PathIdentity, exactRate: "1", rate: "1", converted: "1.01"},
		{name: "IdentityRoundsDown", from: "EUR", to: "EUR", amount: "2.674999", rates: nil,
			path: model.PathIdentity, exactRate: "1", rate: "1", converted: "2.67"},
		{name: "IdentityIgnoresStoredRates", from: "EUR", to: "EUR", amount: "2.675",
			rates: []*model.ExchangeRate{rate("EUR", "USD", "1.1"), rate("USD", "EUR", "0.9"), rate("EUR", "EUR", "7")},
			path:  model.PathIdentity, exactRate: "1", rate: "1", converted: "2.68"},

		// DIRECT
		{name: "Direct", from: "USD", to: "EUR", amount: "100",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "0.9")},
			path:  model.PathDirect, exactRate: "9/10", rate: "0.9", converted: "90.00"},
		{name: "DirectExactRate", from: "USD", to: "EUR", amount: "3",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "1.0825")},
			path:  model.PathDirect, exactRate: "1.0825", rate: "1.0825", converted: "3.25"},
		{name: "DirectPreferredOverReverse", from: "USD", to: "EUR", amount: "100",
			rates: []*model.ExchangeRate{rate("EUR", "USD", "1.2"), rate("USD", "EUR", "0.9")},
			path:  model.PathDirect, exactRate: "0.9", rate: "0.9", converted: "90.00"},
		{name: "DirectPreferredOverCross", from: "USD", to: "EUR", amount: "100",
			rates: []*model.ExchangeRate{rate("USD", "GBP", "0.8"), rate("GBP", "EUR", "1.2"), rate("USD", "EUR", "0.9")},
			path:  model.PathDirect, exactRate: "0.9", rate: "0.9", converted: "90.00"},
		{name: "DirectAmongOthers", from: "GBP", to: "JPY", amount: "2",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "0.9"), rate("GBP", "JPY", "190.123"), rate("JPY", "USD", "0.0067")},
			path:  model.PathDirect, exactRate: "190.123", rate: "190.123", converted: "380.25"},

		// REVERSE
		{name: "Reverse", from: "USD", to: "EUR", amount: "10",
			rates: []*model.ExchangeRate{rate("EUR", "USD", "0.8")},
			path:  model.PathReverse, exactRate: "5/4", rate: "1.25", converted: "12.50"},
		{name: "ReverseNonTerminating", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("BBB", "AAA", "3")},
			path:  model.PathReverse, exactRate: "1/3", rate: "0.333333333333333333", converted: "0.33"},
		{name: "ReverseNonTerminatingRoundsUp", from: "AAA", to: "BBB", amount: "2",
			rates: []*model.ExchangeRate{rate("BBB", "AAA", "3")},
			path:  model.PathReverse, exactRate: "1/3", rate: "0.333333333333333333", converted: "0.67"},
		// 0.015 × 1/3 = 0.005 exactly → 0.01; from the rounded rate
		// 0.333333333333333333 it would be 0.004999… → 0.00.
		{name: "ReverseRoundsOnceFromExactRate", from: "AAA", to: "BBB", amount: "0.015",
			rates: []*model.ExchangeRate{rate("BBB", "AAA", "3")},
			path:  model.PathReverse, exactRate: "1/3", rate: "0.333333333333333333", converted: "0.01"},
		// 1.035 / 3 = 0.345 exactly → 0.35; from the rounded rate → 0.34.
		{name: "ReverseRoundsOnceFromExactRate2", from: "AAA", to: "BBB", amount: "1.035",
			rates: []*model.ExchangeRate{rate("BBB", "AAA", "3")},
			path:  model.PathReverse, exactRate: "1/3", rate: "0.333333333333333333", converted: "0.35"},
		{name: "ReversePreferredOverCross", from: "USD", to: "EUR", amount: "10",
			rates: []*model.ExchangeRate{rate("USD", "GBP", "0.8"), rate("GBP", "EUR", "1.2"), rate("EUR", "USD", "0.8")},
			path:  model.PathReverse, exactRate: "1.25", rate: "1.25", converted: "12.50"},

		// CROSS: which common currency
		{name: "CrossViaUSDPreferred", from: "GBP", to: "JPY", amount: "1",
			rates: []*model.ExchangeRate{
				rate("GBP", "AAA", "2"), rate("AAA", "JPY", "100"), // via AAA: 200
				rate("GBP", "USD", "1.25"), rate("USD", "JPY", "150"), // via USD: 187.5
			},
			path: model.PathCross, via: "USD", exactRate: "187.5", rate: "187.5", converted: "187.50"},
		{name: "CrossViaAlphabeticalFirst", from: "GBP", to: "JPY", amount: "1",
			rates: []*model.ExchangeRate{
				rate("GBP", "ZZZ", "1"), rate("ZZZ", "JPY", "1"),
				rate("GBP", "EUR", "1.1"), rate("EUR", "JPY", "2"),
				rate("GBP", "CHF", "1.5"), rate("CHF", "JPY", "3"), // via CHF: 4.5
				rate("GBP", "DKK", "8"), rate("JPY", "DKK", "0.5"),
				rate("GBP", "USD", "1.25"), // USD links GBP only
			},
			path: model.PathCross, via: "CHF", exactRate: "4.5", rate: "4.5", converted: "4.50"},
		{name: "CrossUSDLinksTargetOnly", from: "GBP", to: "JPY", amount: "1",
			rates: []*model.ExchangeRate{
				rate("GBP", "EUR", "2"), rate("EUR", "JPY", "3"),
				rate("USD", "JPY", "150"), rate("EUR", "USD", "1.1"),
			},
			path: model.PathCross, via: "EUR", exactRate: "6", rate: "6", converted: "6.00"},
		{name: "CrossViaThirdCurrency", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("AAA", "CCC", "2"), rate("CCC", "BBB", "5")},
			path:  model.PathCross, via: "CCC", exactRate: "10", rate: "10", converted: "10.00"},
		{name: "CrossFromUSD", from: "USD", to: "EUR", amount: "10",
			rates: []*model.ExchangeRate{rate("USD", "GBP", "0.8"), rate("GBP", "EUR", "1.15")},
			path:  model.PathCross, via: "GBP", exactRate: "0.92", rate: "0.92", converted: "9.20"},
		{name: "CrossToUSD", from: "GBP", to: "USD", amount: "10",
			rates: []*model.ExchangeRate{rate("GBP", "EUR", "1.15"), rate("USD", "EUR", "0.92")},
			path:  model.PathCross, via: "EUR", exactRate: "1.25", rate: "1.25", converted: "12.50"},

		// CROSS: each leg in either direction. GBP→USD is 1.25 (USD→GBP
		// 0.8) and USD→JPY is 160 (JPY→USD 0.00625), so the rate is 200 in
		// every combination; a leg taken the wrong way gives another number.
		{name: "CrossLegsForwardForward", from: "GBP", to: "JPY", amount: "2.5",
			rates: []*model.ExchangeRate{rate("GBP", "USD", "1.25"), rate("USD", "JPY", "160")},
			path:  model.PathCross, via: "USD", exactRate: "200", rate: "200", converted: "500.00"},
		{name: "CrossLegsForwardReverse", from: "GBP", to: "JPY", amount: "2.5",
			rates: []*model.ExchangeRate{rate("GBP", "USD", "1.25"), rate("JPY", "USD", "0.00625")},
			path:  model.PathCross, via: "USD", exactRate: "200", rate: "200", converted: "500.00"},
		{name: "CrossLegsReverseForward", from: "GBP", to: "JPY", amount: "2.5",
			rates: []*model.ExchangeRate{rate("USD", "GBP", "0.8"), rate("USD", "JPY", "160")},
			path:  model.PathCross, via: "USD", exactRate: "200", rate: "200", converted: "500.00"},
		{name: "CrossLegsReverseReverse", from: "GBP", to: "JPY", amount: "2.5",
			rates: []*model.ExchangeRate{rate("USD", "GBP", "0.8"), rate("JPY", "USD", "0.00625")},
			path:  model.PathCross, via: "USD", exactRate: "200", rate: "200", converted: "500.00"},
		// Asymmetric legs, so that swapping a leg's direction changes the
		// answer: AAA→CCC 4 and CCC→BBB 0.5.
		{name: "CrossAsymForwardForward", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("AAA", "CCC", "4"), rate("CCC", "BBB", "0.5")},
			path:  model.PathCross, via: "CCC", exactRate: "2", rate: "2", converted: "2.00"},
		{name: "CrossAsymForwardReverse", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("AAA", "CCC", "4"), rate("BBB", "CCC", "2")},
			path:  model.PathCross, via: "CCC", exactRate: "2", rate: "2", converted: "2.00"},
		{name: "CrossAsymReverseForward", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("CCC", "AAA", "0.25"), rate("CCC", "BBB", "0.5")},
			path:  model.PathCross, via: "CCC", exactRate: "2", rate: "2", converted: "2.00"},
		{name: "CrossAsymReverseReverse", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("CCC", "AAA", "0.25"), rate("BBB", "CCC", "2")},
			path:  model.PathCross, via: "CCC", exactRate: "2", rate: "2", converted: "2.00"},

		// CROSS: exactness. Legs 1/3 and 3 make exactly 1; rounding the legs
		// first would give 0.999999999999999999.
		{name: "CrossRateFromExactLegs", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("CCC", "AAA", "3"), rate("CCC", "BBB", "3")},
			path:  model.PathCross, via: "CCC", exactRate: "1", rate: "1", converted: "1.00"},
		{name: "CrossNonTerminating", from: "AAA", to: "BBB", amount: "1",
			rates: []*model.ExchangeRate{rate("AAA", "CCC", "2"), rate("BBB", "CCC", "3")},
			path:  model.PathCross, via: "CCC", exactRate: "2/3", rate: "0.666666666666666667", converted: "0.67"},
		// 0.015 × 1/3 = 0.005 → 0.01 only when computed from the exact rate.
		{name: "CrossRoundsOnceFromExactRate", from: "AAA", to: "BBB", amount: "0.015",
			rates: []*model.ExchangeRate{rate("CCC", "AAA", "3"), rate("CCC", "BBB", "1")},
			path:  model.PathCross, via: "CCC", exactRate: "1/3", rate: "0.333333333333333333", converted: "0.01"},
		// 3.015 × 1/3 × 1/3 = 0.335 → 0.34; the rounded rate
		// 0.111111111111111111 gives 0.33499… → 0.33.
		{name: "CrossRoundsOnceFromExactRate2", from: "AAA", to: "BBB", amount: "3.015",
			rates: []*model.ExchangeRate{rate("CCC", "AAA", "3"), rate("BBB", "CCC", "3")},
			path:  model.PathCross, via: "CCC", exactRate: "1/9", rate: "0.111111111111111111", converted: "0.34"},

		// Half-up rounding of the converted amount.
		{name: "HalfUp0015", from: "USD", to: "EUR", amount: "0.01",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "1.5")},
			path:  model.PathDirect, exactRate: "1.5", rate: "1.5", converted: "0.02"},
		{name: "HalfUp0005", from: "USD", to: "EUR", amount: "0.01",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "0.5")},
			path:  model.PathDirect, exactRate: "0.5", rate: "0.5", converted: "0.01"},
		{name: "HalfUp0025", from: "USD", to: "EUR", amount: "0.05",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "0.5")},
			path:  model.PathDirect, exactRate: "0.5", rate: "0.5", converted: "0.03"},
		{name: "RoundsDownBelowHalf", from: "USD", to: "EUR", amount: "0.0099",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "0.5")},
			path:  model.PathDirect, exactRate: "0.5", rate: "0.5", converted: "0.00"},
		{name: "ZeroAmount", from: "USD", to: "EUR", amount: "0",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "0.9")},
			path:  model.PathDirect, exactRate: "0.9", rate: "0.9", converted: "0.00"},
		{name: "LargeAmount", from: "USD", to: "EUR", amount: "999999999999999999.999999999999999999",
			rates: []*model.ExchangeRate{rate("USD", "EUR", "999999999999999999.999999999999999999")},
			path:  model.PathDirect, exactRate: "999999999999999999.999999999999999999",
			rate: "999999999999999999.999999999999999999", converted: "999999999999999999999999999999999998.00"},
	}

	check := func(t *testing.T, tt testCase, rates []*model.ExchangeRate) {
		t.Helper()
		amount := dec(tt.amount)
		c, err := model.Convert(tt.from, tt.to, amount, rates)
		if err != nil {
			t.Fatalf("Convert(%s, %s, %s) error = %v, want nil", tt.from, tt.to, tt.amount, err)
		}
		if c.From != tt.from || c.To != tt.to {
			t.Errorf("Convert(%s, %s, %s) from, to = %s, %s, want %s, %s", tt.from, tt.to, tt.amount, c.From, c.To, tt.from, tt.to)
		}
		if !c.Amount.Equal(amount) {
			t.Errorf("Convert(%s, %s, %s) amount = %s, want %s", tt.from, tt.to, tt.amount, c.Amount, amount)
		}
		if c.Path != tt.path {
			t.Errorf("Convert(%s, %s, %s) path = %s, want %s", tt.from, tt.to, tt.amount, c.Path, tt.path)
		}
		if c.Via != tt.via {
			t.Errorf("Convert(%s, %s, %s) via = %q, want %q", tt.from, tt.to, tt.amount, c.Via, tt.via)
		}
		if got := c.Rate.String(); got != tt.rate {
			t.Errorf("Convert(%s, %s, %s) rate = %s, want %s", tt.from, tt.to, tt.amount, got, tt.rate)
		}
		exact := rat(tt.exactRate)
		if want := model.RatToDecimal(exact); !c.Rate.Equal(want) {
			t.Errorf("Convert(%s, %s, %s) rate = %s, want RatToDecimal(%s) = %s", tt.from, tt.to, tt.amount, c.Rate, tt.exactRate, want)
		}
		if got := c.ConvertedAmount.StringFixed(model.MoneyScale); got != tt.converted {
			t.Errorf("Convert(%s, %s, %s) convertedAmount = %s, want %s", tt.from, tt.to, tt.amount, got, tt.converted)
		}
		if got, want := c.ConvertedAmount.StringFixed(model.MoneyScale), exactConverted(exact, amount); got != want {
			t.Errorf("Convert(%s, %s, %s) convertedAmount = %s, want exact %s × %s rounded = %s", tt.from, tt.to, tt.amount, got, tt.exactRate, tt.amount, want)
		}
		if got := c.ConvertedAmount.Exponent(); got != -model.MoneyScale {
			t.Errorf("Convert(%s, %s, %s) convertedAmount exponent = %d, want %d", tt.from, tt.to, tt.amount, got, -model.MoneyScale)
		}
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rateStrings(tt.rates)
			check(t, tt, tt.rates)
			// The order of the rates does not matter.
			reversed := slices.Clone(tt.rates)
			slices.Reverse(reversed)
			check(t, tt, reversed)
			// Map iteration order must not leak into the answer.
			for range 20 {
				check(t, tt, tt.rates)
			}
			if after := rateStrings(tt.rates); !slices.Equal(before, after) {
				t.Errorf("Convert(%s, %s, %s) changed the stored rates: %v, want %v", tt.from, tt.to, tt.amount, after, before)
			}
		})
	}
}

func rateStrings(rates []*model.ExchangeRate) []string {
	var s []string
	for _, r := range rates {
		s = append(s, r.BaseCode+r.TargetCode+"="+r.Rate.String())
	}
	return s
}

func TestConvertNotFound(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		rates    []*model.ExchangeRate
	}{
		{"NoRates", "USD", "EUR", nil},
		{"EmptyRates", "USD", "EUR", []*model.ExchangeRate{}},
		{"UnrelatedRates", "USD", "EUR", []*model.ExchangeRate{rate("GBP", "JPY", "190")}},
		{"OnlyFromLinked", "USD", "EUR", []*model.ExchangeRate{rate("USD", "GBP", "0.8"), rate("JPY", "USD", "0.0067")}},
		{"OnlyToLinked", "USD", "EUR", []*model.ExchangeRate{rate("GBP", "EUR", "1.15")}},
		{"NoCommonCurrency", "AAA", "BBB", []*model.ExchangeRate{rate("AAA", "CCC", "2"), rate("BBB", "DDD", "3")}},
		{"NoCommonCurrencyReversed", "AAA", "BBB", []*model.ExchangeRate{rate("CCC", "AAA", "2"), rate("DDD", "BBB", "3")}},
		// A cross rate goes through one common currency, never two.
		{"TwoIntermediates", "AAA", "BBB", []*model.ExchangeRate{rate("AAA", "CCC", "2"), rate("CCC", "DDD", "3"), rate("DDD", "BBB", "5")}},
	}
	for _, tt := range tests {
		t.Run("ErrNotFound/"+tt.name, func(t *testing.T) {
			c, err := model.Convert(tt.from, tt.to, dec("1"), tt.rates)
			if c != nil {
				t.Errorf("Convert(%s, %s, 1) = %+v, want nil", tt.from, tt.to, c)
			}
			if got := model.ErrorCode(err); got != model.ENOTFOUND {
				t.Errorf("Convert(%s, %s, 1) code = %q, want %q (err: %v)", tt.from, tt.to, got, model.ENOTFOUND, err)
			}
			if got, want := model.ErrorMessage(err), "Exchange rate not found"; got != want {
				t.Errorf("Convert(%s, %s, 1) message = %q, want %q", tt.from, tt.to, got, want)
			}
		})
	}
}

// fuzzCodes are the currencies FuzzConvert draws from: USD for the
// preference, AAA before it and ZZZ after it alphabetically.
var fuzzCodes = []string{"AAA", "CHF", "EUR", "USD", "ZZZ"}

// FuzzConvert checks Convert against the contract's rules on random graphs of
// positive rates. Each 3 bytes of data are one stored rate: base, target and
// a rate (b+1)/10^k for small k.
func FuzzConvert(f *testing.F) {
	f.Add([]byte{}, uint8(3), uint8(3), uint32(100500), uint8(3))
	f.Add([]byte{3, 2, 8}, uint8(3), uint8(2), uint32(100), uint8(0))
	f.Add([]byte{2, 3, 7}, uint8(3), uint8(2), uint32(10), uint8(0))
	f.Add([]byte{3, 0, 2, 0, 1, 99}, uint8(3), uint8(1), uint32(15), uint8(3))
	f.Add([]byte{0, 3, 2, 3, 1, 4, 0, 2, 8, 2, 1, 200}, uint8(0), uint8(1), uint32(3015), uint8(3))
	f.Add([]byte{1, 0, 2, 2, 0, 2, 4, 0, 9}, uint8(2), uint8(4), uint32(1), uint8(2))
	f.Add([]byte{0, 2, 5, 1, 4, 255}, uint8(0), uint8(1), uint32(4294967295), uint8(7))

	f.Fuzz(func(t *testing.T, data []byte, fromIdx, toIdx uint8, units uint32, scale uint8) {
		n := len(fuzzCodes)
		from, to := fuzzCodes[int(fromIdx)%n], fuzzCodes[int(toIdx)%n]
		amount := decimal.New(int64(units), -int32(scale%8))

		stored := map[model.Pair]*big.Rat{}
		var rates []*model.ExchangeRate
		for i := 0; i+2 < len(data); i += 3 {
			p := model.Pair{Base: fuzzCodes[int(data[i])%n], Target: fuzzCodes[int(data[i+1])%n]}
			if p.Validate() != nil || stored[p] != nil {
				continue // one currency with itself, or a pair stored twice
			}
			r := decimal.New(int64(data[i+2])+1, -int32(data[i+2]%4))
			stored[p] = r.Rat()
			rates = append(rates, &model.ExchangeRate{BaseCode: p.Base, TargetCode: p.Target, Rate: r})
		}

		// The contract's rules, spelled out independently of Convert.
		linked := func(a, b string) bool {
			return stored[model.Pair{Base: a, Target: b}] != nil || stored[model.Pair{Base: b, Target: a}] != nil
		}
		leg := func(a, b string) *big.Rat {
			if r := stored[model.Pair{Base: a, Target: b}]; r != nil {
				return r
			}
			return new(big.Rat).Inv(stored[model.Pair{Base: b, Target: a}])
		}
		var (
			wantPath model.ConversionPath
			wantVia  string
			exact    *big.Rat
		)
		switch {
		case from == to:
			wantPath, exact = model.PathIdentity, big.NewRat(1, 1)
		case stored[model.Pair{Base: from, Target: to}] != nil:
			wantPath, exact = model.PathDirect, stored[model.Pair{Base: from, Target: to}]
		case stored[model.Pair{Base: to, Target: from}] != nil:
			wantPath, exact = model.PathReverse, new(big.Rat).Inv(stored[model.Pair{Base: to, Target: from}])
		default:
			var common []string // in alphabetical order, as fuzzCodes is
			for _, c := range fuzzCodes {
				if c != from && c != to && linked(from, c) && linked(c, to) {
					common = append(common, c)
				}
			}
			if len(common) > 0 {
				wantVia = common[0]
				if slices.Contains(common, model.CrossPreferred) {
					wantVia = model.CrossPreferred
				}
				wantPath, exact = model.PathCross, new(big.Rat).Mul(leg(from, wantVia), leg(wantVia, to))
			}
		}

		c, err := model.Convert(from, to, amount, rates)
		if exact == nil {
			if got := model.ErrorCode(err); got != model.ENOTFOUND || c != nil {
				t.Fatalf("Convert(%s, %s, %s) = %+v, %v, want nil, %s", from, to, amount, c, err, model.ENOTFOUND)
			}
			return
		}
		if err != nil {
			t.Fatalf("Convert(%s, %s, %s) error = %v, want %s path", from, to, amount, err, wantPath)
		}
		if c.Path != wantPath || c.Via != wantVia {
			t.Fatalf("Convert(%s, %s, %s) path, via = %s, %q, want %s, %q", from, to, amount, c.Path, c.Via, wantPath, wantVia)
		}
		if got := c.ConvertedAmount.Exponent(); got != -model.MoneyScale {
			t.Errorf("Convert(%s, %s, %s) convertedAmount exponent = %d, want %d", from, to, amount, got, -model.MoneyScale)
		}
		if c.ConvertedAmount.IsNegative() {
			t.Errorf("Convert(%s, %s, %s) convertedAmount = %s, want >= 0", from, to, amount, c.ConvertedAmount)
		}
		if !c.Rate.IsPositive() {
			t.Errorf("Convert(%s, %s, %s) rate = %s, want > 0", from, to, amount, c.Rate)
		}
		if want := model.RatToDecimal(exact); !c.Rate.Equal(want) {
			t.Errorf("Convert(%s, %s, %s) rate = %s, want %s", from, to, amount, c.Rate, want)
		}
		if got, want := c.ConvertedAmount.StringFixed(model.MoneyScale), exactConverted(exact, amount); got != want {
			t.Errorf("Convert(%s, %s, %s) convertedAmount = %s, want %s", from, to, amount, got, want)
		}
		if c.Path == model.PathIdentity {
			want := model.RoundHalfUp(amount.Rat(), model.MoneyScale)
			if !c.ConvertedAmount.Equal(want) || c.Rate.String() != "1" {
				t.Errorf("Convert(%s, %s, %s) identity rate, convertedAmount = %s, %s, want 1, %s", from, to, amount, c.Rate, c.ConvertedAmount, want.StringFixed(model.MoneyScale))
			}
		}
	})
}

// TestConvertZeroRate: a zero rate can never be stored (a CHECK refuses
// it), but if one reached Convert it must count as no rate, not panic.
func TestConvertZeroRate(t *testing.T) {
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := model.Convert("USD", "EUR", dec("1"), []*model.ExchangeRate{rate("EUR", "USD", "0")})
		if got := model.ErrorCode(err); got != model.ENOTFOUND {
			t.Errorf("Convert with a zero reverse rate: code %q (%v), want %q", got, err, model.ENOTFOUND)
		}
	})
}
