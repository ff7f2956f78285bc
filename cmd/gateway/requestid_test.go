package main

import (
	"bufio"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestRequestIDs: a request's id is the client's X-Request-ID, or a new
// one; it is echoed, put in GraphQL errors, and every log line of the
// request carries it with the user, the operation and the duration in
// milliseconds.
func TestRequestIDs(t *testing.T) {
	env := map[string]string{"BCRYPT_COST": "4", "SEED_DEMO": "true", "DATA_DIR": t.TempDir(), "LOG_FORMAT": "json",
		"ADMIN_USERNAME": "fx_admin", "ADMIN_PASSWORD": "fx-admin-pw"}
	base, _, logs := startGateway(t, nil, env)
	token := login(t, base, "fx_admin", "fx-admin-pw")
	q, _ := json.Marshal(map[string]string{"query": `query FindZed { currency(code: "ZZZ") { code } }`})
	t.Run("OK", func(t *testing.T) {
		_, h, body := send(t, "POST", base+"/graphql", js, string(q), map[string][]string{
			"Authorization": {"Bearer " + token}, requestIDHeader: {"trace-42.a_b"}})
		if got := h.Get(requestIDHeader); got != "trace-42.a_b" {
			t.Errorf("echoed id %q, want trace-42.a_b", got)
		}
		errs, _ := body["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["extensions"].(map[string]any)["requestId"] != "trace-42.a_b" {
			t.Errorf("errors %v, want one with extensions.requestId", body["errors"])
		}
		var line map[string]any
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "http" && m["request_id"] == "trace-42.a_b" {
				line = m
			}
		}
		if line == nil {
			t.Fatalf("no http log line with the request id in:\n%s", logs)
		}
		if line["operation"] != "FindZed" || line["operation_type"] != "query" || line["user_id"] == nil || line["route"] != "/graphql" {
			t.Errorf("log line %v, want the operation, its type, the user and the route", line)
		}
		if _, ok := line["duration_ms"].(float64); !ok {
			t.Errorf("log line %v, want duration_ms", line)
		}
	})
	t.Run("Generated", func(t *testing.T) {
		for _, sent := range []string{"", "has space", strings.Repeat("x", 200)} {
			_, h, _ := send(t, "GET", base+"/healthz", "", "", map[string][]string{requestIDHeader: {sent}})
			if got := h.Get(requestIDHeader); !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got) {
				t.Errorf("sent %q: id %q, want a new 32-hex id", sent, got)
			}
		}
	})
}
