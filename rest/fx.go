package rest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/graph/gqlmodel"
	"github.com/fxgraph/gateway/model"
)

// FX serves the fx surface (document 000: currencies, exchange rates,
// conversions) on the graph's resolvers.
type FX struct {
	R      *graph.Resolver
	Logger *slog.Logger
	routes // its handlers, made by NewSurfaces
}

// fxCurrency is CurrencyOutSchema.
type fxCurrency struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
	Sign string `json:"sign"`
}

// fxRate is ExchangeRateOutSchema.
type fxRate struct {
	ID             int64       `json:"id"`
	BaseCurrency   fxCurrency  `json:"baseCurrency"`
	TargetCurrency fxCurrency  `json:"targetCurrency"`
	Rate           json.Number `json:"rate"`
}

// fxConversion is ConvertedCurrencySchema.
type fxConversion struct {
	BaseCurrency    fxCurrency  `json:"baseCurrency"`
	TargetCurrency  fxCurrency  `json:"targetCurrency"`
	Rate            json.Number `json:"rate"`
	Amount          json.Number `json:"amount"`
	ConvertedAmount json.Number `json:"convertedAmount"`
}

// fxRatePlaces is how many decimals a rate has on REST (rules §4).
const fxRatePlaces = 6

func toFXCurrency(c *model.Currency) fxCurrency {
	return fxCurrency{ID: c.ID, Name: c.Name, Code: c.Code, Sign: c.Sign}
}

// fxNumber writes an exact decimal as a JSON number, digits as they are
// (json.Number: no float, and no re-parsing of a raw message).
func fxNumber(d model.Decimal) json.Number { return json.Number(d.String()) }

// fxRateNumber is a rate at most fxRatePlaces decimals long (rules §4),
// rounded only when it is longer.
func fxRateNumber(d model.Decimal) json.Number {
	if -d.Exponent() > fxRatePlaces {
		d = d.Round(fxRatePlaces)
	}
	return fxNumber(d)
}

// toFXRate converts a rate of the graph, its currencies resolved by the
// resolver as for the graph.
func (fx FX) toFXRate(r *gqlmodel.ExchangeRate) fxRate {
	return fxRate{ID: r.StoredID, BaseCurrency: toFXCurrency(r.Base), TargetCurrency: toFXCurrency(r.Target),
		Rate: fxRateNumber(r.Rate)}
}

// ListCurrencies is GET /currencies.
func (fx FX) ListCurrencies() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		out := []fxCurrency{}
		err := eachPage(fx.R.MaxPageSize(), func(first *int, after *string) (*gqlmodel.PageInfo, error) {
			page, err := fx.R.Queries().Currencies(ctx, first, after, nil, nil)
			if err != nil {
				return nil, err
			}
			for _, e := range page.Edges {
				out = append(out, toFXCurrency(e.Node))
			}
			return page.PageInfo, nil
		})
		return out, err
	})
}

// AddCurrency is POST /currencies: 201, 409, 422.
func (fx FX) AddCurrency() http.Handler {
	return fx.signedIn(http.StatusCreated, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		var in gqlmodel.CreateCurrencyInput
		var errs []fieldError
		for _, fld := range []struct {
			name string
			dst  *string
		}{{"name", &in.Name}, {"code", &in.Code}, {"sign", &in.Sign}} {
			v, _, verr := f.text(fld.name, true)
			if verr != nil {
				errs = append(errs, verr.items...)
			}
			*fld.dst = v
		}
		if len(errs) > 0 {
			return nil, &validationError{items: errs}
		}
		c, err := fx.R.Mutations().CreateCurrency(ctx, in)
		if err != nil {
			return nil, err
		}
		return toFXCurrency(c), nil
	})
}

// GetCurrency is GET /currency/{code}: 200, 404, 422.
func (fx FX) GetCurrency() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		c, err := fx.R.Queries().Currency(ctx, r.PathValue("code"))
		if err != nil {
			return nil, err
		}
		return toFXCurrency(c), nil
	})
}

// UpdateCurrency is PATCH /currency/{code}: 200, 404, 422.
func (fx FX) UpdateCurrency() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		var in gqlmodel.UpdateCurrencyInput
		for _, fld := range []struct {
			name string
			dst  **string
		}{{"name", &in.Name}, {"sign", &in.Sign}} {
			v, ok, verr := f.text(fld.name, false)
			if verr != nil {
				return nil, verr
			}
			if ok {
				*fld.dst = &v
			}
		}
		c, err := fx.R.Mutations().UpdateCurrency(ctx, r.PathValue("code"), in)
		if err != nil {
			return nil, err
		}
		return toFXCurrency(c), nil
	})
}

// DeleteCurrency is DELETE /currency/{code}: 200 null, 404.
func (fx FX) DeleteCurrency() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		_, err := fx.R.Mutations().DeleteCurrency(ctx, r.PathValue("code"))
		return nil, err
	})
}

// ListRates is GET /exchangerates.
func (fx FX) ListRates() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		out := []fxRate{}
		err := eachPage(fx.R.MaxPageSize(), func(first *int, after *string) (*gqlmodel.PageInfo, error) {
			page, err := fx.R.Queries().ExchangeRates(ctx, nil, nil, first, after, nil, nil)
			if err != nil {
				return nil, err
			}
			for _, e := range page.Edges {
				out = append(out, fx.toFXRate(e.Node))
			}
			return page.PageInfo, nil
		})
		return out, err
	})
}

// AddRate is POST /exchangerates: 201, 404, 409 (also for a currency
// paired with itself), 422.
func (fx FX) AddRate() http.Handler {
	return fx.signedIn(http.StatusCreated, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		var errs []fieldError
		base, _, verr := f.text("baseCurrencyCode", true)
		if verr != nil {
			errs = append(errs, verr.items...)
		}
		target, _, verr := f.text("targetCurrencyCode", true)
		if verr != nil {
			errs = append(errs, verr.items...)
		}
		rateText, _, verr := f.number("rate", true)
		if verr != nil {
			errs = append(errs, verr.items...)
		}
		if len(errs) > 0 {
			return nil, &validationError{items: errs}
		}
		rate, err := model.ParseDecimal("rate", rateText)
		if err != nil {
			return nil, err
		}
		created, err := fx.R.Mutations().CreateExchangeRate(ctx, gqlmodel.CreateExchangeRateInput{BaseCode: base, TargetCode: target, Rate: rate})
		if err != nil {
			return nil, err
		}
		return fx.toFXRate(created), nil
	})
}

// GetRate is GET /exchangerate/{pair}: the stored pair or the inverse of
// the stored reverse pair; 200, 404, 422.
func (fx FX) GetRate() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		rate, err := fx.R.Queries().ExchangeRate(ctx, r.PathValue("pair"))
		if err != nil {
			return nil, err
		}
		return fx.toFXRate(rate), nil
	})
}

// UpdateRate is PATCH /exchangerate/{pair}: 200, 404, 422.
func (fx FX) UpdateRate() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		f, err := readFields(r)
		if err != nil {
			return nil, err
		}
		rateText, _, verr := f.number("rate", true)
		if verr != nil {
			return nil, verr
		}
		rate, err := model.ParseDecimal("rate", rateText)
		if err != nil {
			return nil, err
		}
		updated, err := fx.R.Mutations().UpdateExchangeRate(ctx, r.PathValue("pair"), rate)
		if err != nil {
			return nil, err
		}
		return fx.toFXRate(updated), nil
	})
}

// DeleteRate is DELETE /exchangerate/{pair}: 200 null, 404, 422.
func (fx FX) DeleteRate() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		_, err := fx.R.Mutations().DeleteExchangeRate(ctx, r.PathValue("pair"))
		return nil, err
	})
}

// Convert is GET /exchange?from_=&to=&amount=: 200, 404, 422.
func (fx FX) Convert() http.Handler {
	return fx.signedIn(http.StatusOK, func(ctx context.Context, r *http.Request) (any, error) {
		q := r.URL.Query()
		var errs []fieldError
		for _, name := range []string{"from_", "to", "amount"} {
			if !q.Has(name) {
				errs = append(errs, fieldError{Loc: []string{"query", name}, Msg: "Field required", Type: "missing"})
			}
		}
		if len(errs) > 0 {
			return nil, &validationError{items: errs}
		}
		amount, err := model.ParseDecimal("amount", q.Get("amount"))
		if err != nil {
			return nil, err
		}
		c, err := fx.R.Queries().Convert(ctx, q.Get("from_"), q.Get("to"), amount)
		if err != nil {
			return nil, err
		}
		return fxConversion{
			BaseCurrency: toFXCurrency(c.From), TargetCurrency: toFXCurrency(c.To),
			Rate: fxRateNumber(c.Rate), Amount: fxNumber(c.Amount),
			ConvertedAmount: json.Number(model.DecimalString(c.ConvertedAmount)),
		}, nil
	})
}

// eachPage calls page for every page of a connection, size items at a time
// (the resolvers' largest page), until there is no next page or page
// fails: a legacy list without a limit.
func eachPage(size int, page func(first *int, after *string) (*gqlmodel.PageInfo, error)) error {
	var after *string
	for {
		first := size
		pi, err := page(&first, after)
		if err != nil {
			return err
		}
		if !pi.HasNextPage {
			return nil
		}
		after = pi.EndCursor
	}
}

// fxError is the fx body of every error but 422: the text under both
// detail and message, because clients of the original read message.
type fxError struct {
	Detail  string `json:"detail"`
	Message string `json:"message"`
}

// writeError maps an error to its fx status and body (rules §6): 422
// with the list for malformed input, a bodyError's own status and body, a
// statusError's status, else the status of the error code; 401 challenges
// Basic for refused HTTP Basic credentials (basicChallenge), Bearer else;
// a signed-in user refused a right is 403 "Access denied".
func (fx FX) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var verr *validationError
	msg := model.ErrorMessage(err)
	switch {
	case errors.As(err, &verr):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": verr.items})
		return
	case fxErrors.answerShared(w, err, msg):
		return
	case errors.Is(err, model.ErrSameCurrency):
		writeJSON(w, http.StatusConflict, fxError{msg, msg})
		return
	}
	switch model.ErrorCode(err) {
	case model.EINVALID:
		loc := fxLoc(r, model.ErrorField(err))
		msg = renamed(msg, model.ErrorField(err), loc[len(loc)-1])
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []fieldError{{Loc: loc, Msg: msg, Type: "value_error"}}})
	case model.EUNAUTHORIZED:
		if errors.As(err, new(basicChallenge)) {
			w.Header().Set("WWW-Authenticate", "Basic")
		}
		fallthrough
	default:
		if model.ErrorCode(err) == model.EFORBIDDEN && model.IsNotEnoughRights(err) {
			msg = "Access denied" // fx words every refusal of a signed-in user so
		}
		fxErrors.write(fx.Logger, w, r, err, msg)
	}
}

// fxNames are the fx names of the resolvers' input fields.
var fxNames = map[string]string{"from": "from_", "baseCode": "baseCurrencyCode", "targetCode": "targetCurrencyCode", "deviceId": "device_id"}

// fxLoc says where a field of an fx request was: in the path, the query
// (GET and DELETE) or the body.
func fxLoc(r *http.Request, field string) []string {
	if name, ok := fxNames[field]; ok {
		field = name
	}
	switch {
	case r.PathValue(field) != "":
		return []string{"path", field}
	case r.Method == http.MethodGet || r.Method == http.MethodDelete:
		return []string{"query", field}
	}
	return []string{"body", field}
}
