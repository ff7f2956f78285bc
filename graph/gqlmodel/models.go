// Package gqlmodel holds the graph's own types: those generated from the
// schema (models_gen.go) and the hand-written ones here, which the resolvers
// fill through the named converters of package graph.
package gqlmodel

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/model"
)

// Node is an object with a global id: a *model.Currency, *ExchangeRate,
// *model.User, *model.Organization, *model.Membership or *model.Resource.
type Node any

// ExchangeRate is a rate as the graph shows it: a stored rate, or the
// inverse of the stored reverse pair.
type ExchangeRate struct {
	ID       string
	StoredID int64 // the stored rate (for an inverse, the stored reverse pair)
	// Base and Target are resolved when the rate is converted, so the graph
	// reads them as fields: no resolver, no goroutine per rate.
	Base      *model.Currency
	Target    *model.Currency
	Rate      decimal.Decimal
	Inverted  bool
	UpdatedAt time.Time
}

// Conversion is a conversion with its currencies resolved.
type Conversion struct {
	From            *model.Currency
	To              *model.Currency
	Via             *model.Currency
	Rate            decimal.Decimal
	Amount          decimal.Decimal
	ConvertedAmount decimal.Decimal
	Path            model.ConversionPath
}

// AuthPayload is the answer of a login or a refresh.
type AuthPayload struct {
	AccessToken      string
	TokenType        string
	AccessExpiresIn  int
	RefreshToken     *string
	RefreshExpiresIn *int
	Scopes           []string
	User             *model.User
}

// RateChange is a rate change as subscribers receive it.
type RateChange struct {
	Kind         model.RateChangeKind
	Pair         string
	BaseCode     string
	TargetCode   string
	Rate         *decimal.Decimal
	PreviousRate *decimal.Decimal
	Sequence     int
	At           time.Time
	Snapshot     bool
	Cursor       string
	Position     int64 // the change log position the cursor encodes
}
