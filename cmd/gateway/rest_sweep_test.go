package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/fxgraph/gateway/store/storetest"
)

// TestRESTNeverFails sends every legacy operation of the OpenAPI document
// a sweep of bad requests — path values of every wrong form, malformed and
// mistyped bodies, wrong content types, an oversized body — with no
// credentials, a refused token, an API_CLIENT, an ADMIN and HTTP Basic.
// Bodies and query strings carry NUL characters and invalid UTF-8 in every
// field a surface reads, which PostgreSQL refuses to store. Whatever the
// surface answers must be a documented 4xx (or a 2xx) whose body fits the
// document: never a 500, never an undocumented status. On both backends.
func TestRESTNeverFails(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) { testRESTNeverFails(t, backend) })
	}
}

// badFields are the fields of every legacy body, each a NUL-bearing text.
var badFields = []string{"username", "password", "device_id", "name", "sign", "code", "email", "full_name",
	"new_password", "current_password", "description", "refresh_token", "avatar", "avatar_image",
	"avatar_image_url", "baseCurrencyCode", "targetCurrencyCode", "search", "organization_id", "owner_id"}

// textBodies are a JSON and a form body per bad text: every field that
// text, and each login field alone (the first refusal would hide the rest).
func textBodies(bad string) []struct{ contentType, text string } {
	js, _ := json.Marshal(bad)
	var all, form []string
	for _, f := range badFields {
		all = append(all, fmt.Sprintf("%q:%s", f, js))
		form = append(form, f+"="+url.QueryEscape(bad))
	}
	v2 := fmt.Sprintf(`{"name":"abc","email":{"email":%s,"password":%s}}`, js, js)
	return []struct{ contentType, text string }{
		{"application/json", "{" + strings.Join(all, ",") + "}"},
		{"application/json", fmt.Sprintf(`{"username":%s,"password":"long-enough-1"}`, js)},
		{"application/json", fmt.Sprintf(`{"username":"fx_client","password":%s}`, js)},
		{"application/json", v2},
		{"application/x-www-form-urlencoded", strings.Join(form, "&")},
		{"application/x-www-form-urlencoded", "username=" + url.QueryEscape(bad) + "&password=long-enough-1&grant_type=refresh_token&refresh_token=" + url.QueryEscape(bad)},
	}
}

func testRESTNeverFails(t *testing.T, backend string) {
	spec, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	base, tokens := restGateway(t, backend)
	auths := map[string]string{
		"none":   "",
		"bad":    "Bearer not-a-token",
		"client": "Bearer " + tokens["client"],
		"admin":  "Bearer " + tokens["admin"],
		"basic":  "Basic " + base64.StdEncoding.EncodeToString([]byte("fx_client:client-pw-1")),
	}
	authNames := []string{"none", "bad", "client", "basic", "admin"}
	pathValues := []string{"x", "0", "-1", "99999999999999999999", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "USD", "USDEUR", "%25"}
	type body struct{ contentType, text string }
	bodies := []body{
		{"", ""},
		{js, "{"},
		{js, "[]"},
		{js, "null"},
		{js, `{"name":5,"email":[],"password":{},"rate":"abc","username":null,"to":"x","tokens":7}`},
		{form, "a=b&rate=%zz"},
		{"text/plain", "hello"},
		{js, `{"x":"` + strings.Repeat("a", 1<<20) + `"}`},
	}
	for _, bad := range []string{"a\x00b", "\xff\xfe"} {
		for _, b := range textBodies(bad) {
			bodies = append(bodies, body{b.contentType, b.text})
		}
	}
	queries := []string{"?limit=-1&offset=x&skip=q&to=9&amount=-2&from_=1",
		"?search=a%00b&username=%00&from_=U%00D&to=%FF&amount=1&name=%00&q=%FF%FE&skip=0&limit=10"}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var ops []string
	for path, item := range spec.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			switch method {
			case "get", "post", "put", "patch", "delete":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(ops) // the order is the same on every run
	requests := 0
	for _, op := range ops {
		method, template, _ := strings.Cut(op, " ")
		paths := []string{template}
		if param.MatchString(template) {
			paths = paths[:0]
			for _, v := range pathValues {
				paths = append(paths, param.ReplaceAllString(template, v))
			}
		}
		for _, path := range paths {
			for i, b := range bodies {
				if (method == "GET" || method == "DELETE") && b.text != "" {
					continue
				}
				query := queries[i%len(queries)]
				if method == "GET" {
					query = queries[1]
				}
				for _, a := range authNames {
					req, err := http.NewRequest(method, base+path+query, strings.NewReader(b.text))
					if err != nil {
						t.Fatal(err)
					}
					if b.contentType != "" {
						req.Header.Set("Content-Type", b.contentType)
					}
					if auths[a] != "" {
						req.Header.Set("Authorization", auths[a])
					}
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					got, err := io.ReadAll(res.Body)
					res.Body.Close()
					if err != nil {
						t.Fatal(err)
					}
					requests++
					name := fmt.Sprintf("%s %s (%s, %s %.20q)", method, path, a, b.contentType, b.text)
					if res.StatusCode >= 500 {
						t.Errorf("%s = %d %.200s, want a 4xx", name, res.StatusCode, got)
						continue
					}
					checkOpenAPI(t, name, method, path, res.StatusCode, got)
				}
			}
		}
	}
	t.Logf("%d requests to %d operations", requests, len(ops))
}
