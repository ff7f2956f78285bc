package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fxgraph/gateway/graph"
	"github.com/fxgraph/gateway/store/storetest"
)

// FuzzGraphQLRequest fuzzes the GraphQL request decoder and everything
// behind it, on a real SQLite store: whatever the body, the answer is a
// GraphQL response with a status below 500 and no internal error. The
// seed corpus is in testdata/fuzz; CI runs it for a bounded count.
func FuzzGraphQLRequest(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ __typename }"}`,
		`{"query":"query($c: String!) { currency(code: $c) { code name } }","variables":{"c":"US\u0000D"}}`,
		`{"query":"mutation { login(input: {login: \"a\", password: \"b\"}) { accessToken } }"}`,
		`{"query":"{ ...F } fragment F on Query { ...F }"}`,
		`{"query":"{ exchangeRates(first: 1000) { edges { node { base { code } } } } }","operationName":"x"}`,
		`{"query":"subscription { rateChanged { kind } }"}`,
		`{"query":"{ a: __typename @skip(if: true) @nope }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`,
		`{"query":"{ convert(from: \"USD\", to: \"EUR\", amount: \"1e999999\") { rate } }"}`,
		`[{"query":"{ __typename }"}]`,
		`{"query":5,"variables":"x"}`,
	} {
		f.Add([]byte(s))
	}
	db := storetest.Open(f, storetest.SQLite, time.Now)
	c := newClientWithLimits(f, db, graph.DefaultLimits())
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.token)
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("HTTP %d %.300s", res.StatusCode, raw)
		}
		var out response
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("status %d: %.300q is not a GraphQL response: %v", res.StatusCode, raw, err)
		}
		for _, e := range out.Errors {
			if e.Extensions["code"] == graph.CodeInternal {
				t.Fatalf("internal error %q for %.300q", e.Message, body)
			}
		}
	})
}
