package model

import (
	"cmp"
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Field limits of a currency.
const (
	MaxCurrencyNameLen = 64
	MaxCurrencySignLen = 8
)

// Currency is a currency known to the gateway, such as USD.
type Currency struct {
	ID        int64
	Code      string // three upper-case ASCII letters
	Name      string
	Sign      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CurrencyUpdate holds the fields of a currency to change; nil leaves one as it is.
type CurrencyUpdate struct {
	Name *string
	Sign *string
}

// ExchangeRate is the stored rate of one direction of a pair: one unit of
// Base buys Rate units of Target.
type ExchangeRate struct {
	ID         int64
	BaseID     int64
	TargetID   int64
	BaseCode   string
	TargetCode string
	Rate       Decimal
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Pair is an ordered pair of currency codes.
type Pair struct {
	Base   string
	Target string
}

// String returns the pair as six letters, such as USDEUR.
func (p Pair) String() string { return p.Base + p.Target }

// RateFilter selects exchange rates; empty fields match everything.
type RateFilter struct {
	BaseCode   string
	TargetCode string
}

// KeyPage selects a window of a list ordered by a key: at most Limit items
// after the item whose key is After (the zero key: from the start); or,
// with Last, the last Limit items before the item whose key is Before (the
// zero key: to the end), still in order.
type KeyPage[K cmp.Ordered] struct {
	After, Before K
	Limit         int
	Last          bool
}

// Page is KeyPage for a list ordered by id.
type Page = KeyPage[int64]

// CodePage is KeyPage for a list ordered by code.
type CodePage = KeyPage[string]

// CurrencyService is the persistence of currencies.
type CurrencyService interface {
	// FindCurrencies returns the page of the currencies ordered by code,
	// and the total count.
	FindCurrencies(ctx context.Context, page CodePage) ([]*Currency, int, error)
	// FindCurrencyByCode returns ENOTFOUND when no currency has the code.
	FindCurrencyByCode(ctx context.Context, code string) (*Currency, error)
	// FindCurrenciesByCodes returns the currencies with the codes, in any order.
	FindCurrenciesByCodes(ctx context.Context, codes []string) ([]*Currency, error)
	// FindCurrenciesByIDs returns the currencies with the ids, in any order.
	FindCurrenciesByIDs(ctx context.Context, ids []int64) ([]*Currency, error)
	// CreateCurrency returns ECONFLICT when the code is taken.
	CreateCurrency(ctx context.Context, c *Currency) error
	// UpdateCurrency returns ENOTFOUND when no currency has the code.
	UpdateCurrency(ctx context.Context, code string, upd CurrencyUpdate) (*Currency, error)
	// DeleteCurrency deletes the currency and every rate that uses it, and
	// returns both; ENOTFOUND when no currency has the code.
	DeleteCurrency(ctx context.Context, code string) (*Currency, []*ExchangeRate, error)
}

// ExchangeRateService is the persistence of exchange rates.
type ExchangeRateService interface {
	// FindExchangeRates returns the page of the rates matching the filter
	// ordered by id, and the total count of rates matching it.
	FindExchangeRates(ctx context.Context, filter RateFilter, page Page) ([]*ExchangeRate, int, error)
	// FindExchangeRate returns the stored rate of the pair; ENOTFOUND when
	// there is none.
	FindExchangeRate(ctx context.Context, pair Pair) (*ExchangeRate, error)
	// FindRatesTouching returns every stored rate whose base or target is
	// one of the codes.
	FindRatesTouching(ctx context.Context, codes ...string) ([]*ExchangeRate, error)
	// CreateExchangeRate returns ENOTFOUND for an unknown currency and
	// ECONFLICT when the pair is already stored.
	CreateExchangeRate(ctx context.Context, pair Pair, rate Decimal) (*ExchangeRate, error)
	// UpdateExchangeRate returns ENOTFOUND when the pair is not stored. It
	// returns the rate before and after the change.
	UpdateExchangeRate(ctx context.Context, pair Pair, rate Decimal) (prev, cur *ExchangeRate, err error)
	// DeleteExchangeRate returns ENOTFOUND when the pair is not stored.
	DeleteExchangeRate(ctx context.Context, pair Pair) (*ExchangeRate, error)
}

// ParseCode returns s upper-cased when it is three ASCII letters; otherwise
// EINVALID naming field.
func ParseCode(field, s string) (string, error) {
	if len(s) != 3 || !isASCIILetters(s) {
		return "", Invalid(field, "%s must be three letters, such as USD, got %q", field, truncate(s, 16))
	}
	return strings.ToUpper(s), nil
}

// ParsePair parses a code pair of exactly six ASCII letters: "usdeur" is
// USD→EUR. It only parses: "usdusd" is {USD USD}, which Pair.Validate
// refuses. It returns EINVALID.
func ParsePair(field, s string) (Pair, error) {
	if len(s) != 6 || !isASCIILetters(s) {
		return Pair{}, Invalid(field, "%s must be six letters, two currency codes such as USDEUR, got %q", field, truncate(s, 16))
	}
	s = strings.ToUpper(s)
	return Pair{Base: s[:3], Target: s[3:]}, nil
}

// NewPair parses two codes into a pair of two different currencies.
// It returns EINVALID for a malformed code or a currency paired with itself.
func NewPair(baseField, base, targetField, target string) (Pair, error) {
	b, err := ParseCode(baseField, base)
	if err != nil {
		return Pair{}, err
	}
	t, err := ParseCode(targetField, target)
	if err != nil {
		return Pair{}, err
	}
	p := Pair{Base: b, Target: t}
	return p, p.Validate()
}

// ErrSameCurrency is the EINVALID error of a pair of one currency with
// itself; a surface may map it on its own (fx answers 409).
var ErrSameCurrency = Invalid("target", "an exchange rate needs two different currencies")

// Validate returns ErrSameCurrency when the pair is one currency with
// itself.
func (p Pair) Validate() error {
	if p.Base == p.Target {
		return ErrSameCurrency
	}
	return nil
}

// NewCurrency validates and normalises the fields of a new currency: the code
// is upper-cased, name and sign are trimmed. It returns EINVALID.
func NewCurrency(code, name, sign string) (*Currency, error) {
	code, err := ParseCode("code", code)
	if err != nil {
		return nil, err
	}
	c := &Currency{Code: code}
	if c.Name, err = ParseCurrencyName(name); err != nil {
		return nil, err
	}
	if c.Sign, err = ParseCurrencySign(sign); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseCurrencyName trims a name and returns EINVALID when it is blank or
// longer than MaxCurrencyNameLen characters.
func ParseCurrencyName(s string) (string, error) {
	return parseText("name", s, MaxCurrencyNameLen)
}

// ParseCurrencySign trims a sign and returns EINVALID when it is blank or
// longer than MaxCurrencySignLen characters.
func ParseCurrencySign(s string) (string, error) {
	return parseText("sign", s, MaxCurrencySignLen)
}

func parseText(field, s string, maxLen int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid(field, "%s must not be blank", field)
	}
	if err := CheckText(field, s); err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return "", Invalid(field, "%s must be at most %d characters, got %d", field, maxLen, n)
	}
	return s, nil
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// CatalogSource is where a read model of currencies and rates comes from.
type CatalogSource interface {
	// LoadCatalog returns every currency (by code) and every rate (by id),
	// read consistently.
	LoadCatalog(ctx context.Context) ([]*Currency, []*ExchangeRate, error)
	// FollowCatalog calls changed, which must not block, whenever
	// currencies or rates may have changed on any instance, until ctx is
	// done.
	FollowCatalog(ctx context.Context, changed func()) error
}
