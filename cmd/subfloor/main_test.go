package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestFloor plays cmd/subload against the floor: two subscribers get the
// current rate, then every change, in order.
func TestFloor(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFloor()
	go f.dispatch(ctx)
	srv := httptest.NewServer(f.routes())
	defer srv.Close()

	post := func(query string, vars map[string]string) map[string]any {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got status %d, want 200", resp.StatusCode)
		}
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	subscribe := func() *websocket.Conn {
		t.Helper()
		d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}
		ws, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		_ = ws.WriteJSON(map[string]any{"type": "connection_init"})
		if m := read(t, ws); m["type"] != "connection_ack" {
			t.Fatalf("got %v, want connection_ack", m)
		}
		_ = ws.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "subscription { rateChanged }"}})
		return ws
	}

	t.Run("OK", func(t *testing.T) {
		if got := post(`mutation { login(input: {}) { accessToken } }`, nil); got["data"] == nil {
			t.Fatalf("login got %v, want a token", got)
		}
		a, b := subscribe(), subscribe()
		for _, ws := range []*websocket.Conn{a, b} {
			if got, want := rateOf(t, read(t, ws)), "1 1.0000"; got != want {
				t.Fatalf("got %s, want the current rate %s", got, want)
			}
		}
		for _, rate := range []string{"1.1000", "1.2000"} {
			post(`mutation($p: String!, $r: Decimal!) { updateExchangeRate(pair: $p, rate: $r) { rate } }`, map[string]string{"r": rate})
		}
		for _, ws := range []*websocket.Conn{a, b} {
			got := rateOf(t, read(t, ws)) + ", " + rateOf(t, read(t, ws))
			if want := "2 1.1000, 3 1.2000"; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		}
	})
	t.Run("ErrNotLoopback", func(t *testing.T) {
		if err := run(ctx, "0.0.0.0:0"); err == nil {
			t.Error("got nil, want a refusal of a non-loopback address")
		}
	})
}

func read(t *testing.T, ws *websocket.Conn) map[string]any {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	if err := ws.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// rateOf returns "sequence rate" of a next message.
func rateOf(t *testing.T, m map[string]any) string {
	t.Helper()
	rc, ok := m["payload"].(map[string]any)["data"].(map[string]any)["rateChanged"].(map[string]any)
	if m["type"] != "next" || m["id"] != "1" || !ok {
		t.Fatalf("got %v, want a next of 1", m)
	}
	return jsonString(rc["sequence"]) + " " + jsonString(rc["rate"])
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}
