package model

import (
	"math/big"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
)

// Decimal is an exact decimal number. Money and rates are never float64.
type Decimal = decimal.Decimal

// Limits on decimal input: enough for any real rate or amount, small enough
// that arithmetic on them stays cheap.
const (
	MaxIntegerDigits  = 18
	MaxFractionDigits = 18
	// RateScale is the number of decimal places a derived rate (the inverse
	// or a cross rate) is rounded to when its exact value has no finite
	// decimal expansion, such as 1/3.
	RateScale = 18
	// MoneyScale is the number of decimal places of a converted amount.
	MoneyScale = 2
)

var decimalPattern = regexp.MustCompile(`^[+-]?([0-9]+)(?:\.([0-9]+))?$`)

// ParsePositiveDecimal parses s, a plain decimal number such as "1.0825",
// that must be greater than zero. It returns EINVALID naming field.
func ParsePositiveDecimal(field, s string) (Decimal, error) {
	d, err := ParseDecimal(field, s)
	if err != nil {
		return Decimal{}, err
	}
	return d, RequirePositive(field, d)
}

// RequirePositive returns EINVALID naming field unless d > 0.
func RequirePositive(field string, d Decimal) error {
	if !d.IsPositive() {
		return Invalid(field, "%s must be greater than zero", field)
	}
	return nil
}

// ParseDecimal parses s, a plain decimal number such as "-1.0825" with at
// most MaxIntegerDigits digits before the point and MaxFractionDigits after.
// Exponents, NaN and infinities are refused. It returns EINVALID naming field.
func ParseDecimal(field, s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	m := decimalPattern.FindStringSubmatch(s)
	if m == nil {
		return Decimal{}, Invalid(field, "%s must be a decimal number such as 1.25, got %q", field, truncate(s, 40))
	}
	if len(strings.TrimLeft(m[1], "0")) > MaxIntegerDigits || len(m[2]) > MaxFractionDigits {
		return Decimal{}, Invalid(field, "%s must have at most %d digits before and %d after the decimal point", field, MaxIntegerDigits, MaxFractionDigits)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Decimal{}, Invalid(field, "%s must be a decimal number such as 1.25", field)
	}
	return d, nil
}

// DecimalString formats d with as many places as its exponent says: "1.50"
// stays "1.50". Every surface and the store write decimals this way.
func DecimalString(d Decimal) string {
	if exp := d.Exponent(); exp < 0 {
		return d.StringFixed(-exp)
	}
	return d.String()
}

// RatToDecimal returns q as a decimal: exactly when q has a finite decimal
// expansion, otherwise rounded half-up to RateScale places.
func RatToDecimal(q *big.Rat) Decimal {
	if places, ok := finitePlaces(q.Denom()); ok {
		return RoundHalfUp(q, places)
	}
	return RoundHalfUp(q, RateScale)
}

// RoundHalfUp rounds q to places decimal places, halves away from zero.
func RoundHalfUp(q *big.Rat, places int) Decimal {
	num := new(big.Int).Abs(q.Num())
	num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	quo, rem := new(big.Int).QuoRem(num, q.Denom(), new(big.Int))
	if rem.Lsh(rem, 1).Cmp(q.Denom()) >= 0 {
		quo.Add(quo, big.NewInt(1))
	}
	if q.Sign() < 0 {
		quo.Neg(quo)
	}
	return decimal.NewFromBigInt(quo, int32(-places))
}

// finitePlaces reports whether 1/d has a finite decimal expansion and, if so,
// how many places it needs: d must be 2^a·5^b, and it needs max(a, b).
func finitePlaces(d *big.Int) (int, bool) {
	d = new(big.Int).Set(d)
	two, five := big.NewInt(2), big.NewInt(5)
	var a, b int
	m := new(big.Int)
	for d.Cmp(big.NewInt(1)) > 0 {
		switch {
		case m.Mod(d, two).Sign() == 0:
			d.Quo(d, two)
			a++
		case m.Mod(d, five).Sign() == 0:
			d.Quo(d, five)
			b++
		default:
			return 0, false
		}
	}
	return max(a, b), true
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
