package graph_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/store"
	"github.com/fxgraph/gateway/store/storetest"
)

// eachGraph runs fn against the graph over a fresh store of every backend.
func eachGraph(t *testing.T, fn func(t *testing.T, c *client, db *store.DB)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			db := storetest.Open(t, backend, time.Now)
			fn(t, newClient(t, db), db)
		})
	}
}

const (
	createCurrency = `mutation($code: String!, $name: String!, $sign: String!) {
		createCurrency(input: {code: $code, name: $name, sign: $sign}) { id code name sign }
	}`
	createRate = `mutation($base: String!, $target: String!, $rate: Decimal!) {
		createExchangeRate(input: {baseCode: $base, targetCode: $target, rate: $rate}) {
			id rate inverted base { code } target { code }
		}
	}`
	convertQuery = `query($from: String!, $to: String!, $amount: Decimal!) {
		convert(from: $from, to: $to, amount: $amount) {
			from { code } to { code } rate amount convertedAmount path via { code }
		}
	}`
)

type currencyJSON struct {
	ID, Code, Name, Sign string
}

type rateJSON struct {
	ID       string
	Rate     string
	Inverted bool
	Base     struct{ Code string }
	Target   struct{ Code string }
}

type conversionJSON struct {
	From, To        struct{ Code string }
	Rate            string
	Amount          string
	ConvertedAmount string
	Path            string
	Via             *struct{ Code string }
}

func seedCurrencies(t *testing.T, c *client, codes ...string) {
	t.Helper()
	for _, code := range codes {
		c.mustData(t, createCurrency, map[string]any{"code": code, "name": code + " currency", "sign": "¤"}, &struct{}{})
	}
}

func seedRate(t *testing.T, c *client, base, target, rate string) rateJSON {
	t.Helper()
	var out struct{ CreateExchangeRate rateJSON }
	c.mustData(t, createRate, map[string]any{"base": base, "target": target, "rate": rate}, &out)
	return out.CreateExchangeRate
}

// wantError checks that an operation failed with the code and, when
// msgPart is not empty, a message containing it.
func wantError(t *testing.T, res response, code, msgPart string) {
	t.Helper()
	if len(res.Errors) == 0 {
		t.Fatalf("no error, want %s; data %s", code, res.Data)
	}
	if got := res.code(); got != code {
		t.Errorf("extensions.code = %q (%q), want %q", got, res.Errors[0].Message, code)
	}
	if msgPart != "" && !strings.Contains(res.Errors[0].Message, msgPart) {
		t.Errorf("message = %q, want it to contain %q", res.Errors[0].Message, msgPart)
	}
}

func TestCurrencyGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		t.Run("OK", func(t *testing.T) {
			var out struct{ CreateCurrency currencyJSON }
			c.mustData(t, createCurrency, map[string]any{"code": "usd", "name": "  US Dollar ", "sign": "$"}, &out)
			if got := out.CreateCurrency; got.Code != "USD" || got.Name != "US Dollar" || got.ID == "" {
				t.Errorf("created %+v, want code USD, trimmed name, an id", got)
			}
			var q struct{ Currency currencyJSON }
			c.mustData(t, `{ currency(code: "uSd") { code name sign } }`, nil, &q)
			if q.Currency.Code != "USD" || q.Currency.Sign != "$" {
				t.Errorf("currency(uSd) = %+v, want USD", q.Currency)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			res := c.do(t, createCurrency, map[string]any{"code": "USD", "name": "again", "sign": "$"})
			wantError(t, res, "CONFLICT", "USD already exists")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			res := c.do(t, `{ currency(code: "XXX") { code } }`, nil)
			wantError(t, res, "NOT_FOUND", "Currency not found")
			if string(res.Data) != `{"currency":null}` {
				t.Errorf("data = %s, want currency null", res.Data)
			}
			wantError(t, c.do(t, `mutation { updateCurrency(code: "XXX", input: {name: "x"}) { code } }`, nil), "NOT_FOUND", "")
			wantError(t, c.do(t, `mutation { deleteCurrency(code: "XXX") { code } }`, nil), "NOT_FOUND", "")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, tc := range []struct{ name, code, cname, sign, field string }{
				{"ShortCode", "US", "x", "$", "code"},
				{"LongCode", "USDX", "x", "$", "code"},
				{"DigitInCode", "U5D", "x", "$", "code"},
				{"NonASCIICode", "ÜSD", "x", "$", "code"},
				{"BlankName", "ABC", "   ", "$", "name"},
				{"LongName", "ABC", strings.Repeat("n", 65), "$", "name"},
				{"BlankSign", "ABC", "x", "", "sign"},
				{"LongSign", "ABC", "x", "123456789", "sign"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := c.do(t, createCurrency, map[string]any{"code": tc.code, "name": tc.cname, "sign": tc.sign})
					wantError(t, res, "BAD_USER_INPUT", tc.field)
					if got := res.Errors[0].Extensions["field"]; got != tc.field {
						t.Errorf("extensions.field = %v, want %q", got, tc.field)
					}
				})
			}
			var out struct{ Currencies struct{ TotalCount int } }
			c.mustData(t, `{ currencies { totalCount } }`, nil, &out)
			if out.Currencies.TotalCount != 1 {
				t.Errorf("after bad input there are %d currencies, want 1: nothing written", out.Currencies.TotalCount)
			}
		})
		t.Run("Update", func(t *testing.T) {
			var out struct{ UpdateCurrency currencyJSON }
			c.mustData(t, `mutation { updateCurrency(code: "usd", input: {sign: "US$"}) { code name sign } }`, nil, &out)
			if out.UpdateCurrency.Sign != "US$" || out.UpdateCurrency.Name != "US Dollar" {
				t.Errorf("updated %+v, want sign US$ and the name unchanged", out.UpdateCurrency)
			}
			wantError(t, c.do(t, `mutation { updateCurrency(code: "USD", input: {name: ""}) { code } }`, nil), "BAD_USER_INPUT", "name")
		})
	})
}

func TestCurrencyConnection(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		seedCurrencies(t, c, "USD", "EUR", "GBP", "JPY", "CHF")
		const page = `query($after: String) { currencies(first: 2, after: $after) {
			totalCount edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`
		type conn struct {
			Currencies struct {
				TotalCount int
				Edges      []struct {
					Cursor string
					Node   struct{ Code string }
				}
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					EndCursor                    *string
				}
			}
		}
		var got []string
		var after any
		for i := 0; i < 5; i++ {
			var out conn
			c.mustData(t, page, map[string]any{"after": after}, &out)
			if out.Currencies.TotalCount != 5 {
				t.Fatalf("totalCount = %d, want 5", out.Currencies.TotalCount)
			}
			for _, e := range out.Currencies.Edges {
				got = append(got, e.Node.Code)
			}
			if out.Currencies.PageInfo.HasPreviousPage != (after != nil) {
				t.Errorf("page %d: hasPreviousPage = %v", i, out.Currencies.PageInfo.HasPreviousPage)
			}
			if !out.Currencies.PageInfo.HasNextPage {
				break
			}
			after = *out.Currencies.PageInfo.EndCursor
		}
		if want := "CHF EUR GBP JPY USD"; strings.Join(got, " ") != want {
			t.Errorf("paged through %v, want %s", got, want)
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			wantError(t, c.do(t, `{ currencies(first: 0) { totalCount } }`, nil), "BAD_USER_INPUT", "first")
			wantError(t, c.do(t, `{ currencies(first: 1001) { totalCount } }`, nil), "BAD_USER_INPUT", "first")
			wantError(t, c.do(t, `{ currencies(after: "bm9wZQ") { totalCount } }`, nil), "BAD_USER_INPUT", "cursor")
			wantError(t, c.do(t, `{ exchangeRates(after: "cmF0ZTp4") { totalCount } }`, nil), "BAD_USER_INPUT", "cursor")
		})
	})
}

func TestExchangeRateGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		seedCurrencies(t, c, "USD", "EUR", "GBP", "JPY")
		t.Run("OK", func(t *testing.T) {
			r := seedRate(t, c, "usd", "eur", "0.865")
			if r.Base.Code != "USD" || r.Target.Code != "EUR" || r.Rate != "0.865" || r.Inverted {
				t.Errorf("created %+v, want USD→EUR 0.865", r)
			}
		})
		t.Run("ExactDecimals", func(t *testing.T) {
			r := seedRate(t, c, "GBP", "JPY", "199.123456789012345678")
			if r.Rate != "199.123456789012345678" {
				t.Errorf("rate = %s, want every digit kept", r.Rate)
			}
			var out struct{ CreateExchangeRate rateJSON }
			c.mustData(t, `mutation { createExchangeRate(input: {baseCode: "JPY", targetCode: "GBP", rate: 0.005}) { rate } }`, nil, &out)
			if out.CreateExchangeRate.Rate != "0.005" {
				t.Errorf("number literal 0.005 stored as %s, want 0.005", out.CreateExchangeRate.Rate)
			}
		})
		t.Run("ErrConflict", func(t *testing.T) {
			wantError(t, c.do(t, createRate, map[string]any{"base": "USD", "target": "EUR", "rate": "1"}), "CONFLICT", "already exists")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantError(t, c.do(t, createRate, map[string]any{"base": "USD", "target": "XXX", "rate": "1"}), "NOT_FOUND", "Currency not found")
			wantError(t, c.do(t, `{ exchangeRate(pair: "EURJPY") { rate } }`, nil), "NOT_FOUND", "Exchange rate not found")
			wantError(t, c.do(t, `mutation { updateExchangeRate(pair: "EURJPY", rate: "2") { rate } }`, nil), "NOT_FOUND", "Exchange rate not found")
			wantError(t, c.do(t, `mutation { deleteExchangeRate(pair: "EURJPY") { rate } }`, nil), "NOT_FOUND", "Exchange rate not found")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, tc := range []struct {
				name, base, target string
				rate               any
				msg                string
			}{
				{"SameCurrency", "USD", "usd", "1", "two different currencies"},
				{"ZeroRate", "EUR", "GBP", "0", "greater than zero"},
				{"NegativeRate", "EUR", "GBP", "-1.5", "greater than zero"},
				{"NotANumber", "EUR", "GBP", "abc", "decimal number"},
				{"Exponent", "EUR", "GBP", "1e3", "decimal number"},
				{"TooManyDigits", "EUR", "GBP", "1." + strings.Repeat("1", 19), "digits"},
				{"BadCode", "EU", "GBP", "1", "three letters"},
				{"Boolean", "EUR", "GBP", true, "Decimal"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := c.do(t, createRate, map[string]any{"base": tc.base, "target": tc.target, "rate": tc.rate})
					wantError(t, res, "BAD_USER_INPUT", tc.msg)
				})
			}
			wantError(t, c.do(t, `{ exchangeRate(pair: "usdusd") { rate } }`, nil), "BAD_USER_INPUT", "two different currencies")
			for _, pair := range []string{"usd", "usdeu", "usdeurx", "usd eu", "usd€", ""} {
				wantError(t, c.do(t, `query($p: String!) { exchangeRate(pair: $p) { rate } }`, map[string]any{"p": pair}), "BAD_USER_INPUT", "pair")
			}
			var out struct{ ExchangeRates struct{ TotalCount int } }
			c.mustData(t, `{ exchangeRates { totalCount } }`, nil, &out)
			if out.ExchangeRates.TotalCount != 3 {
				t.Errorf("rates = %d, want 3: bad input writes nothing", out.ExchangeRates.TotalCount)
			}
		})
		t.Run("ByPair", func(t *testing.T) {
			var out struct{ ExchangeRate rateJSON }
			c.mustData(t, `{ exchangeRate(pair: "usdeur") { id rate inverted base { code } target { code } } }`, nil, &out)
			if r := out.ExchangeRate; r.Rate != "0.865" || r.Inverted || r.Base.Code != "USD" {
				t.Errorf("exchangeRate(usdeur) = %+v, want the stored 0.865", r)
			}
			direct := out.ExchangeRate.ID
			// EUR→USD is not stored: the inverse of USD→EUR, base and target swapped.
			c.mustData(t, `{ exchangeRate(pair: "EURUSD") { id rate inverted base { code } target { code } } }`, nil, &out)
			if r := out.ExchangeRate; r.Rate != "1.156069364161849711" || !r.Inverted || r.Base.Code != "EUR" || r.Target.Code != "USD" || r.ID == direct {
				t.Errorf("exchangeRate(EURUSD) = %+v, want the inverse 1/0.865 from EUR to USD with its own id", r)
			}
		})
		t.Run("Filter", func(t *testing.T) {
			seedRate(t, c, "USD", "GBP", "0.76")
			for _, tc := range []struct {
				args string
				want int
			}{{`base: "usd"`, 2}, {`target: "GBP"`, 2}, {`base: "USD", target: "GBP"`, 1}, {`base: "JPY"`, 1}, {``, 4}} {
				var out struct{ ExchangeRates struct{ TotalCount int } }
				q := `{ exchangeRates` + map[bool]string{true: "(" + tc.args + ")", false: ""}[tc.args != ""] + ` { totalCount } }`
				c.mustData(t, q, nil, &out)
				if out.ExchangeRates.TotalCount != tc.want {
					t.Errorf("exchangeRates(%s) totalCount = %d, want %d", tc.args, out.ExchangeRates.TotalCount, tc.want)
				}
			}
			wantError(t, c.do(t, `{ exchangeRates(base: "US") { totalCount } }`, nil), "BAD_USER_INPUT", "base")
		})
		t.Run("Update", func(t *testing.T) {
			var out struct{ UpdateExchangeRate rateJSON }
			c.mustData(t, `mutation { updateExchangeRate(pair: "usdgbp", rate: "0.7712") { rate base { code } } }`, nil, &out)
			if out.UpdateExchangeRate.Rate != "0.7712" {
				t.Errorf("updated rate = %s, want 0.7712", out.UpdateExchangeRate.Rate)
			}
			wantError(t, c.do(t, `mutation { updateExchangeRate(pair: "USDGBP", rate: "0") { rate } }`, nil), "BAD_USER_INPUT", "greater than zero")
		})
		t.Run("KeepsScale", func(t *testing.T) {
			var upd struct{ UpdateExchangeRate rateJSON }
			c.mustData(t, `mutation { updateExchangeRate(pair: "USDGBP", rate: "0.7620") { rate } }`, nil, &upd)
			var read struct{ ExchangeRate rateJSON }
			c.mustData(t, `{ exchangeRate(pair: "USDGBP") { rate } }`, nil, &read)
			if upd.UpdateExchangeRate.Rate != "0.7620" || read.ExchangeRate.Rate != "0.7620" {
				t.Errorf("wrote 0.7620: the mutation answered %s and a read %s, want 0.7620 both", upd.UpdateExchangeRate.Rate, read.ExchangeRate.Rate)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			var out struct{ DeleteExchangeRate rateJSON }
			c.mustData(t, `mutation { deleteExchangeRate(pair: "USDGBP") { rate base { code } } }`, nil, &out)
			if out.DeleteExchangeRate.Base.Code != "USD" {
				t.Errorf("deleted %+v, want USD→GBP", out.DeleteExchangeRate)
			}
			wantError(t, c.do(t, `{ exchangeRate(pair: "USDGBP") { rate } }`, nil), "NOT_FOUND", "")
		})
	})
}

func TestDeleteCurrencyCascades(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		seedCurrencies(t, c, "USD", "EUR", "GBP")
		seedRate(t, c, "USD", "EUR", "0.9")
		seedRate(t, c, "GBP", "USD", "1.3")
		seedRate(t, c, "EUR", "GBP", "0.88")
		var out struct{ DeleteCurrency currencyJSON }
		c.mustData(t, `mutation { deleteCurrency(code: "usd") { code } }`, nil, &out)
		if out.DeleteCurrency.Code != "USD" {
			t.Errorf("deleted %+v, want USD", out.DeleteCurrency)
		}
		var left struct {
			ExchangeRates struct {
				TotalCount int
				Edges      []struct{ Node rateJSON }
			}
		}
		c.mustData(t, `{ exchangeRates { totalCount edges { node { base { code } target { code } } } } }`, nil, &left)
		if left.ExchangeRates.TotalCount != 1 || left.ExchangeRates.Edges[0].Node.Base.Code != "EUR" {
			t.Errorf("rates left = %+v, want only EUR→GBP", left.ExchangeRates)
		}
	})
}

func TestConvertGraph(t *testing.T) {
	eachGraph(t, func(t *testing.T, c *client, db *store.DB) {
		seedCurrencies(t, c, "USD", "EUR", "GBP", "JPY", "CHF", "SEK", "NOK", "AUD", "NZD")
		seedRate(t, c, "USD", "EUR", "0.8")
		seedRate(t, c, "GBP", "USD", "1.25")
		seedRate(t, c, "USD", "JPY", "150")
		seedRate(t, c, "EUR", "JPY", "190") // EUR→JPY is direct, not through USD
		seedRate(t, c, "CHF", "SEK", "12")  // SEK and NOK link through CHF and EUR, not USD
		seedRate(t, c, "NOK", "CHF", "0.08")
		seedRate(t, c, "EUR", "SEK", "11")
		seedRate(t, c, "NOK", "EUR", "0.085")
		for _, tc := range []struct {
			name, from, to, amount string
			want                   conversionJSON
			via                    string
		}{
			{"Identity", "eur", "EUR", "12.345", conversionJSON{Rate: "1", ConvertedAmount: "12.35", Path: "IDENTITY"}, ""},
			{"Direct", "USD", "EUR", "100", conversionJSON{Rate: "0.8", ConvertedAmount: "80.00", Path: "DIRECT"}, ""},
			{"Reverse", "EUR", "USD", "100", conversionJSON{Rate: "1.25", ConvertedAmount: "125.00", Path: "REVERSE"}, ""},
			{"ReverseNonTerminating", "JPY", "USD", "1000", conversionJSON{Rate: "0.006666666666666667", ConvertedAmount: "6.67", Path: "REVERSE"}, ""},
			{"CrossViaUSD", "GBP", "JPY", "2", conversionJSON{Rate: "187.5", ConvertedAmount: "375.00", Path: "CROSS"}, "USD"},
			{"CrossViaUSDBothLegsInverted", "EUR", "GBP", "10", conversionJSON{Rate: "1", ConvertedAmount: "10.00", Path: "CROSS"}, "USD"},
			// NOK→SEK: CHF (0.08×12 = 0.96) and EUR (0.085×11 = 0.935) both link them; CHF comes first.
			{"CrossAlphabetical", "NOK", "SEK", "100", conversionJSON{Rate: "0.96", ConvertedAmount: "96.00", Path: "CROSS"}, "CHF"},
			{"HalfUp", "USD", "EUR", "0.00625", conversionJSON{Rate: "0.8", ConvertedAmount: "0.01", Path: "DIRECT"}, ""},
			{"HalfUpBelow", "USD", "EUR", "0.006249", conversionJSON{Rate: "0.8", ConvertedAmount: "0.00", Path: "DIRECT"}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out struct{ Convert conversionJSON }
				c.mustData(t, convertQuery, map[string]any{"from": tc.from, "to": tc.to, "amount": tc.amount}, &out)
				got := out.Convert
				if got.Rate != tc.want.Rate || got.ConvertedAmount != tc.want.ConvertedAmount || got.Path != tc.want.Path {
					t.Errorf("convert %s %s→%s = rate %s, %s, %s; want rate %s, %s, %s",
						tc.amount, tc.from, tc.to, got.Rate, got.ConvertedAmount, got.Path, tc.want.Rate, tc.want.ConvertedAmount, tc.want.Path)
				}
				if gotVia := ""; got.Via != nil {
					gotVia = got.Via.Code
					if gotVia != tc.via {
						t.Errorf("via = %q, want %q", gotVia, tc.via)
					}
				} else if tc.via != "" {
					t.Errorf("via = null, want %s", tc.via)
				}
				if got.From.Code != strings.ToUpper(tc.from) || got.Amount != tc.amount {
					t.Errorf("from %s amount %s, want %s and %s", got.From.Code, got.Amount, strings.ToUpper(tc.from), tc.amount)
				}
			})
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			wantError(t, c.do(t, convertQuery, map[string]any{"from": "USD", "to": "NZD", "amount": "1"}), "NOT_FOUND", "Exchange rate not found")
			wantError(t, c.do(t, convertQuery, map[string]any{"from": "USD", "to": "XXX", "amount": "1"}), "NOT_FOUND", "Currency not found")
			wantError(t, c.do(t, convertQuery, map[string]any{"from": "XXX", "to": "XXX", "amount": "1"}), "NOT_FOUND", "Currency not found")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, tc := range []struct{ from, to, amount, msg string }{
				{"USD", "EUR", "0", "greater than zero"},
				{"USD", "EUR", "-5", "greater than zero"},
				{"USD", "EUR", "ten", "decimal number"},
				{"US", "EUR", "1", "three letters"},
				{"USD", "EURO", "1", "three letters"},
			} {
				wantError(t, c.do(t, convertQuery, map[string]any{"from": tc.from, "to": tc.to, "amount": tc.amount}), "BAD_USER_INPUT", tc.msg)
			}
		})
	})
}

// statementCounter counts the SQL statements a store runs, but for the
// revocation cache's background polls of the tokens table.
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if !strings.Contains(e.Query, `"tokens"`) {
		c.n.Add(1)
	}
	return ctx
}

func (c *statementCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

func TestRateListStatementCount(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			db := storetest.Open(t, backend, time.Now)
			seedManyRates(t, db, 1000)
			counter := &statementCounter{}
			c := newClient(t, db.WithQueryHook(counter))
			const list = `query($first: Int!) { exchangeRates(first: $first) {
				totalCount edges { node { id rate base { code name } target { code name } } } } }`
			statements := func(first int) int64 {
				counter.n.Store(0)
				var out struct {
					ExchangeRates struct {
						TotalCount int
						Edges      []struct{ Node rateJSON }
					}
				}
				c.mustData(t, list, map[string]any{"first": first}, &out)
				if len(out.ExchangeRates.Edges) != first || out.ExchangeRates.Edges[first-1].Node.Base.Code == "" {
					t.Fatalf("listed %d rates, want %d with their currencies", len(out.ExchangeRates.Edges), first)
				}
				return counter.n.Load()
			}
			// The read model answers from memory: no statement at all. Its
			// listener reloads it once when it connects, which may fall in a
			// measurement: the fewest of three counts is the list's own.
			least := func(first int) int64 {
				n := statements(first)
				for range 2 {
					n = min(n, statements(first))
				}
				return n
			}
			if one, thousand := least(1), least(1000); one != 0 || thousand != 0 {
				t.Errorf("statements for 1 rate = %d, for 1,000 rates = %d, want 0 for both", one, thousand)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	c := newClient(t, db)
	t.Run("Depth", func(t *testing.T) {
		limits := graph.DefaultLimits()
		limits.MaxDepth, limits.MaxAliases, limits.MaxComplexity = 4, 1, 1000
		shallow := newClientWithLimits(t, db, limits)
		var out map[string]any
		shallow.mustData(t, `{ exchangeRates { edges { node { rate } } } }`, nil, &out) // depth 4
		wantError(t, shallow.do(t, `{ exchangeRates { edges { node { base { code } } } } }`, nil), "QUERY_TOO_COMPLEX", "nested 5 levels")
		// Fragments count where they are spread.
		q := `{ exchangeRates { edges { ...E } } } fragment E on ExchangeRateEdge { node { base { code } } }`
		wantError(t, shallow.do(t, q, nil), "QUERY_TOO_COMPLEX", "nested 5 levels")
	})
	t.Run("Aliases", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 31 {
			b.WriteString(" a" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ": currencies { totalCount }")
		}
		b.WriteString(" }")
		wantError(t, c.do(t, b.String(), nil), "QUERY_TOO_COMPLEX", "aliases")
	})
	t.Run("Complexity", func(t *testing.T) {
		q := `{ a: exchangeRates(first: 1000) { edges { node { id rate base { code name sign } target { code name sign } } } }
			b: exchangeRates(first: 1000) { edges { node { id rate base { code name sign } target { code name sign } } } }
			c: exchangeRates(first: 1000) { edges { node { id rate base { code name sign } target { code name sign } } } } }`
		wantError(t, c.do(t, q, nil), "COMPLEXITY_LIMIT_EXCEEDED", "")
	})
	t.Run("IntrospectionOK", func(t *testing.T) {
		var out map[string]any
		c.mustData(t, introspectionQuery, nil, &out)
	})
}

func TestInternalErrorsHidden(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, time.Now)
	c := newClient(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	res := c.do(t, `{ users { totalCount } }`, nil)
	wantError(t, res, "INTERNAL_SERVER_ERROR", "Internal server error.")
	if msg := res.Errors[0].Message; strings.Contains(msg, "sql") || strings.Contains(msg, "closed") {
		t.Errorf("message %q leaks the driver error", msg)
	}
}
