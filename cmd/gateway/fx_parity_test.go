package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fxgraph/gateway/store/storetest"
)

// The parity of the fx routes (the issue: "a parity test per route"): for
// every route, the REST answer and the graph's agree on the same data,
// whichever surface wrote it. A subtest is named after its route: method,
// then the path's words (GetCurrency is GET /currency/{code}).

// fxRESTCurrency is CurrencyOutSchema as a test reads it.
type fxRESTCurrency struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
	Sign string `json:"sign"`
}

// fxRESTRate is ExchangeRateOutSchema as a test reads it: the rate keeps
// the text the gateway wrote.
type fxRESTRate struct {
	ID             int64          `json:"id"`
	BaseCurrency   fxRESTCurrency `json:"baseCurrency"`
	TargetCurrency fxRESTCurrency `json:"targetCurrency"`
	Rate           json.Number    `json:"rate"`
}

// gqlCurrency is a Currency as the graph answers fxCurrencyFields.
type gqlCurrency struct {
	DatabaseID       int64
	Code, Name, Sign string
}

// gqlRate is an ExchangeRate as the graph answers fxRateFields.
type gqlRate struct {
	DatabaseID   int64
	Inverted     bool
	Rate         string
	Base, Target gqlCurrency
}

const (
	fxCurrencyFields = `{ databaseId code name sign }`
	fxRateFields     = `{ databaseId inverted rate base { databaseId code name sign } target { databaseId code name sign } }`
)

// fxRatePlaces is how many decimals a rate has on REST (rules §4).
const fxRatePlaces = 6

// asREST is the fx answer of a graph currency: its databaseId is the id.
func (c gqlCurrency) asREST(t *testing.T) fxRESTCurrency {
	t.Helper()
	if c.DatabaseID <= 0 {
		t.Errorf("currency databaseId: got %d, want a positive id", c.DatabaseID)
	}
	return fxRESTCurrency{ID: c.DatabaseID, Name: c.Name, Code: c.Code, Sign: c.Sign}
}

// asREST is the fx answer of a graph rate: the id of the stored rate (an
// inverse's databaseId is its stored reverse pair's, as REST answers) and
// the rate rounded to six places.
func (r gqlRate) asREST(t *testing.T) fxRESTRate {
	t.Helper()
	if r.DatabaseID <= 0 {
		t.Errorf("rate databaseId: got %d (inverted %v), want a positive id", r.DatabaseID, r.Inverted)
	}
	return fxRESTRate{ID: r.DatabaseID, BaseCurrency: r.Base.asREST(t), TargetCurrency: r.Target.asREST(t),
		Rate: json.Number(fxDecimal(t, r.Rate).Round(fxRatePlaces).String())}
}

// fxDecimal parses a decimal's text, failing the test when it is none.
func fxDecimal(t *testing.T, text string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(text)
	if err != nil {
		t.Errorf("rate: got %q, want a decimal", text)
	}
	return d
}

// fxSameRate compares a REST rate with the graph's (wanted), the rates as
// decimals: REST's to six places, equal to the graph's rounded so.
func fxSameRate(t *testing.T, what string, got fxRESTRate, want gqlRate) {
	t.Helper()
	w := want.asREST(t)
	if !fxDecimal(t, string(got.Rate)).Equal(fxDecimal(t, string(w.Rate))) {
		t.Errorf("%s rate: got %v, want %v (GraphQL %v to %d places)", what, got.Rate, w.Rate, want.Rate, fxRatePlaces)
	}
	g, ww := got, w
	g.Rate, ww.Rate = "", ""
	if g != ww {
		t.Errorf("%s: got %+v, want %+v", what, got, w)
	}
}

// fxGraphAs runs a GraphQL operation that must succeed and decodes the
// value under field of its data into out.
func fxGraphAs(t *testing.T, base, token, query, field string, out any) {
	t.Helper()
	b, _ := json.Marshal(fxGQL(t, base, token, query)[field])
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %s is not the %T expected: %v", query, b, out, err)
	}
}

// fxGraphCurrency is the graph's currency with the code.
func fxGraphCurrency(t *testing.T, base, token, code string) gqlCurrency {
	t.Helper()
	var c gqlCurrency
	fxGraphAs(t, base, token, fmt.Sprintf(`{ currency(code: %q) %s }`, code, fxCurrencyFields), "currency", &c)
	return c
}

// fxGraphRate is the graph's rate of the pair.
func fxGraphRate(t *testing.T, base, token, pair string) gqlRate {
	t.Helper()
	var r gqlRate
	fxGraphAs(t, base, token, fmt.Sprintf(`{ exchangeRate(pair: %q) %s }`, pair, fxRateFields), "exchangeRate", &r)
	return r
}

// fxGraphRates is every stored rate as the graph lists them, and their
// totalCount.
func fxGraphRates(t *testing.T, base, token string) ([]gqlRate, int) {
	t.Helper()
	var conn struct {
		TotalCount int
		Edges      []struct{ Node gqlRate }
	}
	fxGraphAs(t, base, token, `{ exchangeRates(first: 1000) { totalCount edges { node `+fxRateFields+` } } }`, "exchangeRates", &conn)
	out := make([]gqlRate, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = e.Node
	}
	return out, conn.TotalCount
}

// TestFXParity shows that the fx currency, rate and conversion routes and
// the graph agree on the same data: they come from the same resolvers.
// The subtests run in order on one store.
func TestFXParity(t *testing.T) {
	base, tokens := restGateway(t, storetest.SQLite)
	client, admin := tokens["client"], tokens["admin"]
	// rest runs a request that must answer status and decodes the answer.
	rest := func(t *testing.T, method, path, body, token string, status int, out any) {
		t.Helper()
		c := routeCase{name: path, method: method, path: path, body: body, token: token}
		if body != "" {
			c.contentType = form
		}
		if got := fxCall(t, base, tokens, c, out); got != status {
			t.Fatalf("%s %s: got %d, want %d", method, path, got, status)
		}
	}
	// gone checks that REST and the graph both no longer find a currency
	// or a pair.
	gone := func(t *testing.T, restPath, query string) {
		t.Helper()
		if got := fxGQLCode(t, base, client, query); got != "NOT_FOUND" {
			t.Errorf("%s: got %q, want NOT_FOUND", query, got)
		}
		rest(t, "GET", restPath, "", "client", http.StatusNotFound, nil)
	}
	// involving returns the ids of the graph's stored rates with the code.
	involving := func(t *testing.T, code string) []string {
		t.Helper()
		rates, _ := fxGraphRates(t, base, client)
		var ids []string
		for _, r := range rates {
			if r.Base.Code == code || r.Target.Code == code {
				ids = append(ids, fmt.Sprint(r.DatabaseID))
			}
		}
		return ids
	}

	t.Run("GetCurrencies", func(t *testing.T) {
		var got []fxRESTCurrency
		rest(t, "GET", "/currencies", "", "client", http.StatusOK, &got)
		var conn struct {
			TotalCount int
			Edges      []struct{ Node gqlCurrency }
		}
		fxGraphAs(t, base, client, `{ currencies(first: 1000) { totalCount edges { node `+fxCurrencyFields+` } } }`, "currencies", &conn)
		if len(got) != len(conn.Edges) || len(got) != conn.TotalCount || len(got) < 12 {
			t.Fatalf("currencies: got %d on REST, want %d as on GraphQL (totalCount %d, at least the 12 of the demo)", len(got), len(conn.Edges), conn.TotalCount)
		}
		for i, e := range conn.Edges {
			if want := e.Node.asREST(t); got[i] != want {
				t.Errorf("currency %d: got %+v, want %+v", i, got[i], want)
			}
		}
	})

	t.Run("GetCurrency", func(t *testing.T) {
		for _, code := range []string{"EUR", "jpy"} {
			var got fxRESTCurrency
			rest(t, "GET", "/currency/"+code, "", "client", http.StatusOK, &got)
			if want := fxGraphCurrency(t, base, client, code).asREST(t); got != want || want.Code != strings.ToUpper(code) {
				t.Errorf("%s: got %+v, want %+v", code, got, want)
			}
		}
	})

	t.Run("PostCurrencies", func(t *testing.T) {
		var got fxRESTCurrency
		rest(t, "POST", "/currencies", "code=pln&name=Polish+Zloty&sign=z%C5%82", "client", http.StatusCreated, &got)
		if want := fxGraphCurrency(t, base, client, "PLN").asREST(t); got != want || want != (fxRESTCurrency{want.ID, "Polish Zloty", "PLN", "zł"}) {
			t.Errorf("created on REST: got %+v, want %+v, Polish Zloty", got, want)
		}
		var created gqlCurrency
		fxGraphAs(t, base, client, `mutation { createCurrency(input: {code: "czk", name: "Czech Koruna", sign: "Kč"}) `+fxCurrencyFields+` }`, "createCurrency", &created)
		rest(t, "GET", "/currency/CZK", "", "client", http.StatusOK, &got)
		if want := created.asREST(t); got != want || want.Code != "CZK" {
			t.Errorf("created on GraphQL: got %+v, want %+v", got, want)
		}
	})

	t.Run("PatchCurrency", func(t *testing.T) {
		var got fxRESTCurrency
		rest(t, "PATCH", "/currency/pln", "sign=PLN&name=Zloty", "client", http.StatusOK, &got)
		if want := fxGraphCurrency(t, base, client, "PLN").asREST(t); got != want || want.Sign != "PLN" || want.Name != "Zloty" {
			t.Errorf("updated on REST: got %+v, want %+v, Zloty PLN", got, want)
		}
		var updated gqlCurrency
		fxGraphAs(t, base, client, `mutation { updateCurrency(code: "czk", input: {sign: "Kc"}) `+fxCurrencyFields+` }`, "updateCurrency", &updated)
		rest(t, "GET", "/currency/czk", "", "client", http.StatusOK, &got)
		if want := updated.asREST(t); got != want || want.Sign != "Kc" || want.Name != "Czech Koruna" {
			t.Errorf("updated on GraphQL: got %+v, want %+v, Czech Koruna Kc", got, want)
		}
	})

	t.Run("GetExchangeRates", func(t *testing.T) {
		var got []fxRESTRate
		rest(t, "GET", "/exchangerates", "", "client", http.StatusOK, &got)
		rates, total := fxGraphRates(t, base, client)
		if len(got) != len(rates) || len(got) != total || len(got) < 12 {
			t.Fatalf("rates: got %d on REST, want %d as on GraphQL (totalCount %d, at least the 12 of the demo)", len(got), len(rates), total)
		}
		for i, r := range rates {
			if r.Inverted {
				t.Errorf("rate %d: GraphQL lists an inverse %+v, want stored rates only", i, r)
			}
			fxSameRate(t, fmt.Sprint("rate ", i), got[i], r)
		}
	})

	t.Run("PostExchangeRates", func(t *testing.T) {
		// More than six places: REST rounds, the graph keeps them.
		var got fxRESTRate
		rest(t, "POST", "/exchangerates", "baseCurrencyCode=usd&targetCurrencyCode=PLN&rate=3.66123456789", "client", http.StatusCreated, &got)
		want := fxGraphRate(t, base, client, "USDPLN")
		fxSameRate(t, "created on REST", got, want)
		if string(got.Rate) != "3.661235" || !fxDecimal(t, want.Rate).Equal(decimal.RequireFromString("3.66123456789")) {
			t.Errorf("created on REST: got %v (GraphQL %v), want 3.661235 (3.66123456789)", got.Rate, want.Rate)
		}
		var created gqlRate
		fxGraphAs(t, base, client, `mutation { createExchangeRate(input: {baseCode: "EUR", targetCode: "pln", rate: "4.2301"}) `+fxRateFields+` }`, "createExchangeRate", &created)
		rest(t, "GET", "/exchangerate/EURPLN", "", "client", http.StatusOK, &got)
		fxSameRate(t, "created on GraphQL", got, created)
		if got.BaseCurrency.Code != "EUR" || got.TargetCurrency.Code != "PLN" || string(got.Rate) != "4.2301" {
			t.Errorf("created on GraphQL: got %+v, want EURPLN 4.2301", got)
		}
	})

	t.Run("GetExchangeRate", func(t *testing.T) {
		// A stored pair, and the inverse of a stored reverse pair.
		for _, c := range []struct {
			pair     string
			inverted bool
		}{{"USDJPY", false}, {"usdjpy", false}, {"JPYUSD", true}, {"EURUSD", true}, {"PLNEUR", true}} {
			var got fxRESTRate
			rest(t, "GET", "/exchangerate/"+c.pair, "", "client", http.StatusOK, &got)
			want := fxGraphRate(t, base, client, c.pair)
			fxSameRate(t, c.pair, got, want)
			if want.Inverted != c.inverted || got.BaseCurrency.Code+got.TargetCurrency.Code != strings.ToUpper(c.pair) {
				t.Errorf("%s: got %s%s (GraphQL inverted %v), want %s (inverted %v)", c.pair, got.BaseCurrency.Code, got.TargetCurrency.Code, want.Inverted, strings.ToUpper(c.pair), c.inverted)
			}
		}
	})

	t.Run("PatchExchangeRate", func(t *testing.T) {
		var got fxRESTRate
		rest(t, "PATCH", "/exchangerate/usdpln", "rate=3.7", "client", http.StatusOK, &got)
		fxSameRate(t, "updated on REST", got, fxGraphRate(t, base, client, "USDPLN"))
		if string(got.Rate) != "3.7" {
			t.Errorf("updated on REST: got %v, want 3.7", got.Rate)
		}
		var updated gqlRate
		fxGraphAs(t, base, client, `mutation { updateExchangeRate(pair: "eurpln", rate: "4.25") `+fxRateFields+` }`, "updateExchangeRate", &updated)
		rest(t, "GET", "/exchangerate/EURPLN", "", "client", http.StatusOK, &got)
		fxSameRate(t, "updated on GraphQL", got, updated)
		if string(got.Rate) != "4.25" {
			t.Errorf("updated on GraphQL: got %v, want 4.25", got.Rate)
		}
	})

	t.Run("GetExchange", func(t *testing.T) {
		for _, c := range []struct{ from, to, amount string }{
			{"USD", "PLN", "10"}, {"PLN", "USD", "100"}, {"GBP", "JPY", "2.5"},
		} {
			var got struct {
				BaseCurrency    fxRESTCurrency `json:"baseCurrency"`
				TargetCurrency  fxRESTCurrency `json:"targetCurrency"`
				Rate            json.Number    `json:"rate"`
				Amount          json.Number    `json:"amount"`
				ConvertedAmount json.Number    `json:"convertedAmount"`
			}
			rest(t, "GET", fmt.Sprintf("/exchange?from_=%s&to=%s&amount=%s", c.from, c.to, c.amount), "", "client", http.StatusOK, &got)
			var conv struct {
				From, To                      gqlCurrency
				Rate, Amount, ConvertedAmount string
			}
			fxGraphAs(t, base, client, fmt.Sprintf(`{ convert(from: %q, to: %q, amount: %q) { from %s to %s rate amount convertedAmount } }`,
				c.from, c.to, c.amount, fxCurrencyFields, fxCurrencyFields), "convert", &conv)
			what := c.from + c.to
			if want := conv.From.asREST(t); got.BaseCurrency != want {
				t.Errorf("%s baseCurrency: got %+v, want %+v", what, got.BaseCurrency, want)
			}
			if want := conv.To.asREST(t); got.TargetCurrency != want {
				t.Errorf("%s targetCurrency: got %+v, want %+v", what, got.TargetCurrency, want)
			}
			if want := fxDecimal(t, conv.Rate).Round(fxRatePlaces); !fxDecimal(t, string(got.Rate)).Equal(want) {
				t.Errorf("%s rate: got %v, want %v (GraphQL %v to %d places)", what, got.Rate, want, conv.Rate, fxRatePlaces)
			}
			if string(got.Amount) != conv.Amount || string(got.ConvertedAmount) != conv.ConvertedAmount {
				t.Errorf("%s amounts: got %v → %v, want %v → %v", what, got.Amount, got.ConvertedAmount, conv.Amount, conv.ConvertedAmount)
			}
		}
	})

	t.Run("DeleteExchangeRate", func(t *testing.T) {
		var before fxRESTRate
		rest(t, "GET", "/exchangerate/EURPLN", "", "client", http.StatusOK, &before)
		_, body := routeCase{name: "delete", method: "DELETE", path: "/exchangerate/eurpln", token: "admin"}.call(t, base, tokens)
		if got := strings.TrimSpace(string(body)); got != "null" {
			t.Errorf("delete on REST: got %s, want null", got)
		}
		gone(t, "/exchangerate/EURPLN", `{ exchangeRate(pair: "EURPLN") { id } }`)
		gone(t, "/exchangerate/PLNEUR", `{ exchangeRate(pair: "PLNEUR") { id } }`)
		if ids := involving(t, "PLN"); slices.Contains(ids, strconv.FormatInt(before.ID, 10)) || len(ids) != 1 {
			t.Errorf("PLN rates on GraphQL: got %v, want USDPLN's only, not %d", ids, before.ID)
		}

		rest(t, "GET", "/exchangerate/USDPLN", "", "client", http.StatusOK, &before)
		var deleted gqlRate
		fxGraphAs(t, base, admin, `mutation { deleteExchangeRate(pair: "USDPLN") `+fxRateFields+` }`, "deleteExchangeRate", &deleted)
		fxSameRate(t, "deleted on GraphQL", before, deleted)
		gone(t, "/exchangerate/USDPLN", `{ exchangeRate(pair: "USDPLN") { id } }`)
		var all []fxRESTRate
		rest(t, "GET", "/exchangerates", "", "client", http.StatusOK, &all)
		for _, r := range all {
			if r.ID == before.ID {
				t.Errorf("rates on REST: got %+v, want USDPLN gone", r)
			}
		}
	})

	t.Run("DeleteCurrency", func(t *testing.T) {
		// NOK is the target of EURNOK and, now, the base of NOKJPY.
		fxGQL(t, base, client, `mutation { createExchangeRate(input: {baseCode: "NOK", targetCode: "JPY", rate: "14.2"}) { id } }`)
		if ids := involving(t, "NOK"); len(ids) != 2 {
			t.Fatalf("NOK rates on GraphQL: got %v, want 2", ids)
		}
		status, body := routeCase{name: "delete", method: "DELETE", path: "/currency/nok", token: "admin"}.call(t, base, tokens)
		if got := strings.TrimSpace(string(body)); status != http.StatusOK || got != "null" {
			t.Errorf("delete on REST: got %d %s, want 200 null", status, got)
		}
		gone(t, "/currency/NOK", `{ currency(code: "NOK") { id } }`)
		gone(t, "/exchangerate/EURNOK", `{ exchangeRate(pair: "EURNOK") { id } }`)
		gone(t, "/exchangerate/NOKJPY", `{ exchangeRate(pair: "NOKJPY") { id } }`)
		if ids := involving(t, "NOK"); len(ids) != 0 {
			t.Errorf("NOK rates on GraphQL: got %v, want none", ids)
		}

		var before fxRESTCurrency
		rest(t, "GET", "/currency/SEK", "", "client", http.StatusOK, &before)
		var deleted gqlCurrency
		fxGraphAs(t, base, admin, `mutation { deleteCurrency(code: "sek") `+fxCurrencyFields+` }`, "deleteCurrency", &deleted)
		if want := deleted.asREST(t); before != want {
			t.Errorf("deleted on GraphQL: got %+v, want %+v", before, want)
		}
		gone(t, "/currency/SEK", `{ currency(code: "SEK") { id } }`)
		gone(t, "/exchangerate/EURSEK", `{ exchangeRate(pair: "EURSEK") { id } }`)
		var all []fxRESTRate
		rest(t, "GET", "/exchangerates", "", "client", http.StatusOK, &all)
		for _, r := range all {
			if r.BaseCurrency.Code == "SEK" || r.TargetCurrency.Code == "SEK" {
				t.Errorf("rates on REST: got %+v, want SEK's gone", r)
			}
		}
	})
}

// TestFXAuthParity shows that the fx token and admin routes and the graph
// agree: tokens issued, rotated or revoked on one surface behave alike on
// the other, and a user changed on one reads the same on the other.
func TestFXAuthParity(t *testing.T) {
	base, tokens, values := fxUsersGateway(t, storetest.SQLite)
	admin := tokens["admin"]
	restRefresh := func(t *testing.T, token string) (int, fxGained) {
		t.Helper()
		var g fxGained
		c := routeCase{name: "refresh", method: "POST", path: "/tokens/refresh", body: "grant_type=refresh_token&refresh_token=" + token, contentType: form, token: "basic_client"}
		return fxCall(t, base, tokens, c, &g), g
	}
	// graphRefresh rotates through the graph and returns the payload as
	// fx shows it, with the name of its user, or the code that refused it.
	graphRefresh := func(t *testing.T, token string) (fxGained, string, string) {
		t.Helper()
		_, out := postGraphQL(t, base, "", fmt.Sprintf(`mutation { refreshToken(refreshToken: %q) {
			accessToken tokenType accessExpiresIn refreshToken refreshExpiresIn scopes user { username } } }`, token))
		if code := fxErrCode(out); code != "" {
			return fxGained{}, "", code
		}
		var p struct {
			AccessToken, TokenType, RefreshToken string
			AccessExpiresIn, RefreshExpiresIn    int
			Scopes                               []string
			User                                 struct{ Username string }
		}
		b, _ := json.Marshal(out["data"].(map[string]any)["refreshToken"])
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		return fxGained{AccessToken: p.AccessToken, TokenType: p.TokenType, AccessExpiresIn: p.AccessExpiresIn,
			RefreshToken: p.RefreshToken, RefreshExpiresIn: p.RefreshExpiresIn, Scope: p.Scopes}, p.User.Username, ""
	}
	restRevoke := func(t *testing.T, ids ...string) []string {
		t.Helper()
		var out struct{ Revoked []string }
		b, _ := json.Marshal(map[string][]string{"tokens": ids})
		c := routeCase{name: "revoke", method: "PATCH", path: "/tokens/revoke", body: string(b), contentType: js, token: "basic_client"}
		if status := fxCall(t, base, tokens, c, &out); status != http.StatusOK {
			t.Fatalf("revoke: got %d, want 200", status)
		}
		return out.Revoked
	}
	graphRevoke := func(t *testing.T, ids ...string) []string {
		t.Helper()
		b, _ := json.Marshal(ids)
		var out []string
		fxGraphAs(t, base, tokens["client"], fmt.Sprintf(`mutation { revokeTokens(ids: %s) }`, b), "revokeTokens", &out)
		return out
	}
	patch := func(t *testing.T, path string) fxUserOut {
		t.Helper()
		var u fxUserOut
		if status := fxCall(t, base, tokens, routeCase{name: path, method: "PATCH", path: path, token: "admin"}, &u); status != http.StatusOK {
			t.Fatalf("PATCH %s: got %d, want 200", path, status)
		}
		return u
	}
	graphUser := func(t *testing.T, id string) fxUserOut {
		t.Helper()
		return asREST(fxGraphUser(t, base, admin, fmt.Sprintf(`{ user(id: %q) %s }`, id, fxUserFields), "user"))
	}
	graphChange := func(t *testing.T, mutation string) fxUserOut {
		t.Helper()
		field, _, _ := strings.Cut(mutation, "(")
		return asREST(fxGraphUser(t, base, admin, "mutation { "+mutation+" "+fxUserFields+" }", field))
	}
	search := func(t *testing.T, name string) fxUserOut {
		t.Helper()
		var u fxUserOut
		path := "/admin/users/search?username=" + name
		if status := fxCall(t, base, tokens, routeCase{name: path, method: "GET", path: path, token: "admin"}, &u); status != http.StatusOK {
			t.Fatalf("GET %s: got %d, want 200", path, status)
		}
		return u
	}

	t.Run("PostTokensRefresh", func(t *testing.T) {
		// A refresh token gained on REST rotates on both surfaces in turn.
		_, gained := fxGain(t, base, "fx_client", "client-pw-1", "p-refresh-rest")
		status, r1 := restRefresh(t, gained.RefreshToken)
		if status != http.StatusOK || r1.RefreshToken == gained.RefreshToken {
			t.Fatalf("refresh on REST: got %d %+v, want 200 and a new refresh token", status, r1)
		}
		if got := fxMe(t, base, r1.AccessToken); got != "fx_client" {
			t.Errorf("me with REST's rotated token: got %v, want fx_client", got)
		}
		r2, name, code := graphRefresh(t, r1.RefreshToken)
		if code != "" || name != "fx_client" || r2.RefreshToken == r1.RefreshToken {
			t.Fatalf("refresh on GraphQL of REST's token: got %q %v %+v, want fx_client and a new refresh token", code, name, r2)
		}
		if got := fxMe(t, base, r2.AccessToken); got != "fx_client" {
			t.Errorf("me with GraphQL's rotated token: got %v, want fx_client", got)
		}
		// The two answers agree but for the tokens themselves.
		want := r2
		want.AccessToken, want.RefreshToken = r1.AccessToken, r1.RefreshToken
		if fmt.Sprint(r1) != fmt.Sprint(want) {
			t.Errorf("REST refresh: got %+v, want %+v (GraphQL's)", r1, want)
		}
		if status, _ := restRefresh(t, r2.RefreshToken); status != http.StatusOK {
			t.Errorf("refresh on REST of GraphQL's token: got %d, want 200", status)
		}

		// A rotated token presented again is refused alike, and revokes
		// its device: on GraphQL (a device signed in on REST) ...
		if _, _, code := graphRefresh(t, gained.RefreshToken); code != "FORBIDDEN" {
			t.Errorf("reuse on GraphQL: got %q, want FORBIDDEN", code)
		}
		if got := fxRefused(t, base, r2.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("me after the reuse on GraphQL: got %v, want UNAUTHENTICATED", got)
		}
		// ... and on REST (a device signed in on GraphQL).
		login := fxLogin(t, base, "fx_client", "client-pw-1", "p-refresh-graph")
		g1, _, code := graphRefresh(t, login.refresh)
		if code != "" {
			t.Fatalf("refresh on GraphQL: got %q, want success", code)
		}
		if status, _ := restRefresh(t, login.refresh); status != http.StatusForbidden {
			t.Errorf("reuse on REST: got %d, want 403", status)
		}
		if got := fxRefused(t, base, g1.AccessToken); got != "UNAUTHENTICATED" {
			t.Errorf("me after the reuse on REST: got %v, want UNAUTHENTICATED", got)
		}
	})

	t.Run("PatchTokensRevoke", func(t *testing.T) {
		a := fxLogin(t, base, "fx_client", "client-pw-1", "p-revoke-rest")
		b := fxLogin(t, base, "fx_client", "client-pw-1", "p-revoke-graph")
		other := fxLogin(t, base, "fx_admin", "fx-admin-pw", "p-revoke-other")

		gotREST := restRevoke(t, fxJWTID(t, a.access), "no-such-token", fxJWTID(t, other.access))
		if want := []string{fxJWTID(t, a.access)}; !slices.Equal(gotREST, want) {
			t.Errorf("revoked on REST: got %v, want %v", gotREST, want)
		}
		if got := fxMe(t, base, a.access); got != "UNAUTHENTICATED" {
			t.Errorf("me with the token revoked on REST: got %v, want UNAUTHENTICATED", got)
		}
		for _, c := range []struct{ name, token, want string }{
			{"another device's", b.access, "fx_client"}, {"another user's", other.access, "fx_admin"},
		} {
			if got := fxMe(t, base, c.token); got != c.want {
				t.Errorf("me with %s token: got %v, want %v", c.name, got, c.want)
			}
		}

		gotGraph := graphRevoke(t, fxJWTID(t, b.access), "no-such-token", fxJWTID(t, other.access))
		if want := []string{fxJWTID(t, b.access)}; !slices.Equal(gotGraph, want) {
			t.Errorf("revoked on GraphQL: got %v, want %v (as REST answered %v)", gotGraph, want, gotREST)
		}
		if got := fxMe(t, base, b.access); got != "UNAUTHENTICATED" {
			t.Errorf("me with the token revoked on GraphQL: got %v, want UNAUTHENTICATED", got)
		}

		// A refresh token revoked on one surface is refused on the other.
		if got := restRevoke(t, fxJWTID(t, a.refresh)); !slices.Equal(got, []string{fxJWTID(t, a.refresh)}) {
			t.Errorf("refresh token revoked on REST: got %v, want [%s]", got, fxJWTID(t, a.refresh))
		}
		if _, _, code := graphRefresh(t, a.refresh); code != "FORBIDDEN" {
			t.Errorf("refresh on GraphQL of a token revoked on REST: got %q, want FORBIDDEN", code)
		}
		if got := graphRevoke(t, fxJWTID(t, b.refresh)); !slices.Equal(got, []string{fxJWTID(t, b.refresh)}) {
			t.Errorf("refresh token revoked on GraphQL: got %v, want [%s]", got, fxJWTID(t, b.refresh))
		}
		if status, _ := restRefresh(t, b.refresh); status != http.StatusForbidden {
			t.Errorf("refresh on REST of a token revoked on GraphQL: got %d, want 403", status)
		}
		if got := fxMe(t, base, other.access); got != "fx_admin" {
			t.Errorf("me with another user's token: got %v, want fx_admin", got)
		}
	})

	t.Run("PatchAdminUsersDeactivate", func(t *testing.T) {
		got := patch(t, "/admin/users/"+values["trader"]+"/deactivate")
		if want := graphUser(t, values["trader"]); got != want || got.IsActive || got.Username != "fx_trader" {
			t.Errorf("deactivated on REST: got %+v, want %+v, inactive fx_trader", got, want)
		}
		want := graphChange(t, fmt.Sprintf("deactivateUser(id: %q)", values["viewer"]))
		if got := search(t, "fx_viewer"); got != want || want.IsActive || want.Username != "fx_viewer" {
			t.Errorf("deactivated on GraphQL: got %+v, want %+v, inactive fx_viewer", got, want)
		}
	})

	t.Run("PatchAdminUsersActivate", func(t *testing.T) {
		got := patch(t, "/admin/users/"+values["trader"]+"/activate")
		if want := graphUser(t, values["trader"]); got != want || !got.IsActive || got.Username != "fx_trader" {
			t.Errorf("activated on REST: got %+v, want %+v, active fx_trader", got, want)
		}
		want := graphChange(t, fmt.Sprintf("activateUser(id: %q)", values["viewer"]))
		if got := search(t, "fx_viewer"); got != want || !want.IsActive || want.Username != "fx_viewer" {
			t.Errorf("activated on GraphQL: got %+v, want %+v, active fx_viewer", got, want)
		}
	})

	t.Run("PatchAdminUsersCategoryDowngrade", func(t *testing.T) {
		for _, name := range []string{"trader", "viewer"} {
			if u := graphChange(t, fmt.Sprintf("promoteUser(id: %q, to: MANAGER)", values[name])); u.Category != "MANAGER" {
				t.Fatalf("promote %s: got %+v, want a MANAGER", name, u)
			}
		}
		got := patch(t, "/admin/users/"+values["trader"]+"/category/downgrade?to=-1")
		if want := graphUser(t, values["trader"]); got != want || got.Category != "API_CLIENT" {
			t.Errorf("downgraded on REST: got %+v, want %+v, an API_CLIENT", got, want)
		}
		want := graphChange(t, fmt.Sprintf("downgradeUser(id: %q, to: API_CLIENT)", values["viewer"]))
		if got := search(t, "fx_viewer"); got != want || want.Category != "API_CLIENT" {
			t.Errorf("downgraded on GraphQL: got %+v, want %+v, an API_CLIENT", got, want)
		}
	})
}
