package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files of the REST routes")

// goldenDir holds one file per route case: its status and body.
const goldenDir = "../../rest/testdata/fx"

// fxGateway runs the gateway on a fresh store of the backend with the demo
// data, and returns its URL with an ADMIN and an API_CLIENT token.
func fxGateway(t *testing.T, backend string) (base, admin, client string) {
	t.Helper()
	env := map[string]string{"BCRYPT_COST": "4", "SEED_DEMO": "true", "DATA_DIR": t.TempDir(),
		"ADMIN_USERNAME": "fx_admin", "ADMIN_PASSWORD": "fx-admin-pw"}
	if backend == storetest.Postgres {
		env["DATABASE_URL"] = storetest.DSN(t, backend)
	}
	base, _, _ = startGateway(t, nil, env)
	admin = loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "fx-test")
	_, out := postGraphQL(t, base, "", `mutation { register(input: {username: "fx_client", password: "client-pw-1", passwordConfirmation: "client-pw-1"}) { id } }`)
	if out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	client = loginOnDevice(t, base, "fx_client", "client-pw-1", "fx-test")
	return base, admin, client
}

type fxCase struct {
	name, method, path string
	body, contentType  string
	token              string // "admin", "client" or "" for none
	status             int
}

// call runs a case and returns its status and body.
func (c fxCase) call(t *testing.T, base string, tokens map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if tok := tokens[c.token]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", c.name, ct)
	}
	return res.StatusCode, b
}

const (
	form = "application/x-www-form-urlencoded"
	js   = "application/json"
)

// fxCases run in order on one store: each sees what the previous did.
var fxCases = []fxCase{
	{"currencies_list", "GET", "/currencies", "", "", "client", 200},
	{"currencies_list_slash", "GET", "/currencies/", "", "", "client", 200},
	{"currency_get", "GET", "/currency/usd", "", "", "client", 200},
	{"currency_get_404", "GET", "/currency/XXX", "", "", "client", 404},
	{"currency_get_422", "GET", "/currency/US", "", "", "client", 422},
	{"currency_create_form", "POST", "/currencies", "code=pln&name=Polish+Zloty&sign=z%C5%82", form, "client", 201},
	{"currency_create_json_slash", "POST", "/currencies/", `{"code":"czk","name":"Czech Koruna","sign":"Kč","extra":1}`, js, "client", 201},
	{"currency_create_409", "POST", "/currencies", "code=PLN&name=Again&sign=z", form, "client", 409},
	{"currency_create_422_missing", "POST", "/currencies", "name=Only", form, "client", 422},
	{"currency_create_422_type", "POST", "/currencies", `{"code":"HUF","name":5,"sign":"Ft"}`, js, "client", 422},
	{"currency_create_422_json", "POST", "/currencies", `{"code":`, js, "client", 422},
	{"currency_create_422_value", "POST", "/currencies", "code=H1F&name=Forint&sign=Ft", form, "client", 422},
	{"currency_create_422_content_type", "POST", "/currencies", "code=HUF", "text/plain", "client", 422},
	{"currency_create_401", "POST", "/currencies", "code=HUF&name=Forint&sign=Ft", form, "", 401},
	{"currency_update", "PATCH", "/currency/pln", "sign=PLN", form, "client", 200},
	{"currency_update_404", "PATCH", "/currency/XXX", "sign=x", form, "client", 404},
	{"currency_update_422", "PATCH", "/currency/PLN", `{"name":""}`, js, "client", 422},
	{"currency_delete_403", "DELETE", "/currency/CZK", "", "", "client", 403},
	{"currency_delete", "DELETE", "/currency/CZK", "", "", "admin", 200},
	{"currency_delete_404", "DELETE", "/currency/CZK", "", "", "admin", 404},
	{"rates_list", "GET", "/exchangerates", "", "", "client", 200},
	{"rate_create", "POST", "/exchangerates", "baseCurrencyCode=usd&targetCurrencyCode=PLN&rate=3.6612", form, "client", 201},
	{"rate_create_json_number", "POST", "/exchangerates", `{"baseCurrencyCode":"EUR","targetCurrencyCode":"PLN","rate":4.2301}`, js, "client", 201},
	{"rate_create_404", "POST", "/exchangerates", "baseCurrencyCode=USD&targetCurrencyCode=XXX&rate=1", form, "client", 404},
	{"rate_create_409", "POST", "/exchangerates", "baseCurrencyCode=USD&targetCurrencyCode=PLN&rate=1", form, "client", 409},
	{"rate_create_409_same", "POST", "/exchangerates", "baseCurrencyCode=USD&targetCurrencyCode=usd&rate=1", form, "client", 409},
	{"rate_create_422_zero", "POST", "/exchangerates", "baseCurrencyCode=GBP&targetCurrencyCode=PLN&rate=0", form, "client", 422},
	{"rate_create_422_missing", "POST", "/exchangerates", `{"rate":"abc"}`, js, "client", 422},
	{"rate_get", "GET", "/exchangerate/usdpln", "", "", "client", 200},
	{"rate_get_inverse", "GET", "/exchangerate/PLNUSD/", "", "", "client", 200},
	{"rate_get_404", "GET", "/exchangerate/JPYPLN", "", "", "client", 404},
	{"rate_get_422", "GET", "/exchangerate/usdpl", "", "", "client", 422},
	{"rate_update", "PATCH", "/exchangerate/USDPLN", "rate=3.7", form, "client", 200},
	{"rate_update_404", "PATCH", "/exchangerate/PLNUSD", "rate=1", form, "client", 404},
	{"rate_update_422", "PATCH", "/exchangerate/USDPLN", `{"rate":-1}`, js, "client", 422},
	{"rate_delete_403", "DELETE", "/exchangerate/EURPLN", "", "", "client", 403},
	{"rate_delete", "DELETE", "/exchangerate/EURPLN", "", "", "admin", 200},
	{"rate_delete_404", "DELETE", "/exchangerate/EURPLN", "", "", "admin", 404},
	{"exchange_direct", "GET", "/exchange?from_=usd&to=PLN&amount=10", "", "", "client", 200},
	{"exchange_reverse", "GET", "/exchange?from_=PLN&to=USD&amount=100", "", "", "client", 200},
	{"exchange_cross", "GET", "/exchange?from_=GBP&to=JPY&amount=2.5", "", "", "client", 200},
	{"currency_create_unlinked", "POST", "/currencies", "code=HUF&name=Hungarian+Forint&sign=Ft", form, "client", 201},
	{"exchange_404_rate", "GET", "/exchange?from_=HUF&to=JPY&amount=1", "", "", "client", 404},
	{"exchange_404_currency", "GET", "/exchange?from_=USD&to=XXX&amount=1", "", "", "client", 404},
	{"exchange_422_missing", "GET", "/exchange?to=USD", "", "", "client", 422},
	{"exchange_422_amount", "GET", "/exchange?from_=USD&to=EUR&amount=0", "", "", "client", 422},
	{"exchange_422_code", "GET", "/exchange?from_=US&to=EUR&amount=1", "", "", "client", 422},
	{"exchange_401", "GET", "/exchange?from_=USD&to=EUR&amount=1", "", "", "", 401},
}

func TestFXRoutes(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			base, admin, client := fxGateway(t, backend)
			tokens := map[string]string{"admin": admin, "client": client}
			for _, c := range fxCases {
				status, body := c.call(t, base, tokens)
				if status != c.status {
					t.Errorf("%s: %s %s = %d %s, want %d", c.name, c.method, c.path, status, body, c.status)
					continue
				}
				checkGolden(t, c.name, status, body, backend == storetest.SQLite)
			}
		})
	}
}

// checkGolden compares a status and body with the case's golden file;
// with -update (and write) it rewrites the file instead.
func checkGolden(t *testing.T, name string, status int, body []byte, write bool) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: body %q is not JSON", name, body)
		return
	}
	got, _ := json.MarshalIndent(map[string]any{"status": status, "body": zeroIDs(v)}, "", "  ")
	path := filepath.Join(goldenDir, name+".json")
	if *update && write {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: no golden file (run go test ./cmd/gateway -run TestFXRoutes -update): %v", name, err)
		return
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s: got\n%s\nwant (%s)\n%s", name, got, path, want)
	}
}

// zeroIDs sets every numeric "id" to 0: a golden file pins shapes, and
// PostgreSQL's identities skip the numbers of failed inserts, SQLite's do
// not.
func zeroIDs(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if _, isNum := x.(float64); isNum && k == "id" {
				v[k] = 0
			} else {
				v[k] = zeroIDs(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = zeroIDs(x)
		}
	}
	return v
}

// TestFXParity shows that the REST answers and the graph's agree on the
// same data: they come from the same resolvers.
func TestFXParity(t *testing.T) {
	base, _, client := fxGateway(t, storetest.SQLite)
	get := func(path string) map[string]any {
		status, body := fxCase{name: path, method: "GET", path: path}.call(t, base, map[string]string{"": client})
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber() // keep the numbers' text: 513.80 stays 513.80
		if status != 200 || dec.Decode(&v) != nil {
			t.Fatalf("GET %s = %d %s", path, status, body)
		}
		return v
	}
	_, out := postGraphQL(t, base, client, `{ convert(from: "GBP", to: "JPY", amount: "2.5") { rate convertedAmount }
		exchangeRate(pair: "EURUSD") { rate base { code } } }`)
	data := out["data"].(map[string]any)
	conv := get("/exchange?from_=GBP&to=JPY&amount=2.5")
	if g, r := conv["convertedAmount"], data["convert"].(map[string]any)["convertedAmount"]; jsonNum(g) != r {
		t.Errorf("convertedAmount: REST %v, GraphQL %v", g, r)
	}
	if g, r := jsonNum(conv["rate"]), data["convert"].(map[string]any)["rate"].(string); !strings.HasPrefix(r, g[:len(g)-1]) {
		t.Errorf("rate: REST %v is not GraphQL's %v to 6 places", g, r)
	}
	rate := get("/exchangerate/EURUSD")
	if g, r := jsonNum(rate["rate"]), data["exchangeRate"].(map[string]any)["rate"].(string); !strings.HasPrefix(r, g[:len(g)-1]) {
		t.Errorf("pair rate: REST %v, GraphQL %v", g, r)
	}
}

// jsonNum returns a JSON number's text as the gateway wrote it.
func jsonNum(v any) string {
	n, _ := v.(json.Number)
	return n.String()
}
