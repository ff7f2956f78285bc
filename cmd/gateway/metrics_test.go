package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fxgraph/gateway/store/storetest"
)

// scrape returns the metric samples of base's /metrics whose line starts
// with one of the names, by the whole series text.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// TestMetrics scrapes /metrics before and after some traffic: the values
// move, and no label carries a raw path or a user id.
func TestMetrics(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	token := login(t, base, "fx_admin", "fx-admin-pw")
	before := scrape(t, base+"/metrics")

	postGraphQL(t, base, token, `query ListThem { currencies(first: 2) { totalCount } }`)
	postGraphQL(t, base, token, `{ currency(code: "ZZZ") { code } }`)
	postGraphQL(t, base, "", `mutation { login(input: {login: "fx_admin", password: "wrong-password"}) { accessToken } }`)
	send(t, "GET", base+"/currency/usd", "", "", map[string][]string{"Authorization": {"Bearer " + token}})
	// Once the snapshot arrives, the subscription is registered.
	s := subscribe(t, base, token, liveQuery)
	postGraphQL(t, base, token, `mutation { updateExchangeRate(pair: "USDEUR", rate: "0.9") { rate } }`)
	s.next(t, 10*time.Second)

	after := scrape(t, base+"/metrics")
	moved := func(series string, by float64) {
		t.Helper()
		if got := after[series] - before[series]; got < by {
			t.Errorf("%s moved by %v, want at least %v", series, got, by)
		}
	}
	moved(`gateway_http_request_duration_seconds_count{method="POST",route="/graphql",status="200",surface="graphql"}`, 4)
	moved(`gateway_http_request_duration_seconds_count{method="GET",route="GET /currency/{code}",status="200",surface="fx"}`, 1)
	moved(`gateway_graphql_operations_total{operation="ListThem",type="query"}`, 1)
	moved(`gateway_graphql_errors_total{code="NOT_FOUND"}`, 1)
	moved(`gateway_graphql_errors_total{code="UNAUTHENTICATED"}`, 1)
	moved(`gateway_login_failures_total`, 1)
	moved(`gateway_change_events_delivered_total`, 1)
	moved(`gateway_change_feed_lag_seconds_count`, 1)
	moved(`gateway_catalog_version`, 1)
	for series, want := range map[string]float64{`gateway_websocket_connections`: 1, `gateway_subscriptions`: 1} {
		if after[series] != want {
			t.Errorf("%s = %v, want %v", series, after[series], want)
		}
	}
	for _, s := range []string{`gateway_db_connections_open`, `gateway_revocation_cache_poll_age_seconds`, `go_goroutines`} {
		if _, ok := after[s]; !ok {
			t.Errorf("no %s", s)
		}
	}
	raw := regexp.MustCompile(`route="[^"]*(usd|ZZZ)`)
	for series := range after {
		if raw.MatchString(series) || strings.Contains(series, "user") {
			t.Errorf("series %s carries a raw path or a user", series)
		}
	}
}

// TestMetricsAddr serves the metrics apart when METRICS_ADDR is set.
func TestMetricsAddr(t *testing.T) {
	addr := freeAddr(t)
	base := hardenedGateway(t, storetest.SQLite, map[string]string{"METRICS_ADDR": addr})
	if status, _, _ := send(t, "GET", base+"/metrics", "", "", nil); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the API address: %d, want 404", status)
	}
	if got := scrape(t, "http://"+addr+"/metrics"); len(got) == 0 {
		t.Error("no metrics on METRICS_ADDR")
	}
}
