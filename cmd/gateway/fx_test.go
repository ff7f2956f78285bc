package main

import (
	"testing"

	"github.com/fxgraph/gateway/store/storetest"
)

// fxCases run in order on one store: each sees what the previous did.
var fxCases = []routeCase{
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
	{"currency_create_401_before_422", "POST", "/currencies", `{"code":`, js, "", 401}, // the token first, as the original
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
			base, tokens := restGateway(t, backend)
			runCases(t, "fx", base, tokens, fxCases, backend == storetest.SQLite)
		})
	}
}
