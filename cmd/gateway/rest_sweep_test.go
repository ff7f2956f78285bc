package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
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
// Whatever the surface answers must be a documented 4xx (or a 2xx) whose
// body fits the document: never a 500, never an undocumented status.
func TestRESTNeverFails(t *testing.T) {
	spec, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	base, tokens := restGateway(t, storetest.SQLite)
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
			for _, b := range bodies {
				if (method == "GET" || method == "DELETE") && b.text != "" {
					continue
				}
				for _, a := range authNames {
					req, err := http.NewRequest(method, base+path+"?limit=-1&offset=x&skip=q&to=9&amount=-2&from_=1", strings.NewReader(b.text))
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
