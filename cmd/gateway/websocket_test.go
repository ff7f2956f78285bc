package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fxgraph/gateway/store/storetest"
)

// wsClient is a raw websocket client of one subprotocol, for protocol
// tests: it reads only when asked, so an idle one costs no goroutine.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// wsDial opens a websocket to the gateway's /graphql with the subprotocol
// ("" for none).
func wsDial(t *testing.T, base, subprotocol string) *wsClient {
	t.Helper()
	return wsDialHeader(t, base, subprotocol, nil)
}

// wsDialHeader is wsDial with headers on the upgrade request.
func wsDialHeader(t *testing.T, base, subprotocol string, header http.Header) *wsClient {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if subprotocol != "" {
		d.Subprotocols = []string{subprotocol}
	}
	conn, res, err := d.Dial(strings.Replace(base, "http://", "ws://", 1)+"/graphql", header)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if got := res.Header.Get("Sec-WebSocket-Protocol"); subprotocol != "" && got != subprotocol {
		t.Fatalf("subprotocol = %q, want %q", got, subprotocol)
	}
	t.Cleanup(func() { conn.Close() })
	return &wsClient{t: t, conn: conn}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next message other than a keep-alive, failing after
// timeout.
func (c *wsClient) read(timeout time.Duration) map[string]any {
	c.t.Helper()
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(timeout))
		var m map[string]any
		if err := c.conn.ReadJSON(&m); err != nil {
			c.t.Fatalf("read: %v", err)
		}
		switch m["type"] {
		case "ping":
			c.send(map[string]any{"type": "pong"})
		case "ka":
		default:
			return m
		}
	}
}

// closed reads until the server closes and returns its close code and
// reason.
func (c *wsClient) closed(timeout time.Duration) (int, string) {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, _, err := c.conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		if err != nil {
			c.t.Fatalf("read: %v, want a close frame", err)
		}
	}
}

func (c *wsClient) init(token string) {
	c.t.Helper()
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	if m := c.read(5 * time.Second); m["type"] != "connection_ack" {
		c.t.Fatalf("connection_init answered %v, want connection_ack", m)
	}
}

// subscribe sends a subscribe (start) message of the client's protocol.
func (c *wsClient) subscribe(id, query string) {
	typ := "subscribe"
	if c.conn.Subprotocol() == "graphql-ws" {
		typ = "start"
	}
	c.send(map[string]any{"id": id, "type": typ, "payload": map[string]any{"query": query}})
}

// change reads the next rateChanged event of the subscription id.
func (c *wsClient) change(id string, timeout time.Duration) map[string]any {
	c.t.Helper()
	m := c.read(timeout)
	if m["id"] != id || (m["type"] != "next" && m["type"] != "data") {
		c.t.Fatalf("got %v, want a result of %s", m, id)
	}
	return m["payload"].(map[string]any)["data"].(map[string]any)["rateChanged"].(map[string]any)
}

func TestWebsocketProtocol(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, map[string]string{"WS_INIT_TIMEOUT": "300ms"})
	token := loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "ws-protocol")
	for _, p := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(p, func(t *testing.T) {
			closes := []struct {
				name   string
				do     func(c *wsClient)
				code   int
				reason string
			}{
				{"InitTimeout", func(c *wsClient) {}, 4408, "Connection initialisation timeout"},
				{"SubscribeBeforeInit", func(c *wsClient) { c.subscribe("1", "{ __typename }") }, 4401, "Unauthorized"},
				{"TooManyInits", func(c *wsClient) {
					c.init(token)
					c.send(map[string]any{"type": "connection_init"})
				}, 4429, "Too many initialisation requests"},
				{"DuplicateID", func(c *wsClient) {
					c.init(token)
					c.subscribe("1", `subscription { rateChanged { pair } }`)
					c.subscribe("1", `subscription { rateChanged { pair } }`)
				}, 4409, "Subscriber for 1 already exists"},
				{"NotJSON", func(c *wsClient) {
					_ = c.conn.WriteMessage(websocket.TextMessage, []byte("{not json"))
				}, 4400, "Invalid message received"},
				{"UnknownType", func(c *wsClient) {
					c.init(token)
					c.send(map[string]any{"type": "bogus"})
				}, 4400, "Invalid message received"},
				{"SubscribeWithoutID", func(c *wsClient) {
					c.init(token)
					c.subscribe("", "{ __typename }")
				}, 4400, "Invalid message received"},
				{"BadToken", func(c *wsClient) {
					c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer nope"}})
				}, 4403, "Forbidden"},
			}
			for _, tc := range closes {
				t.Run(tc.name, func(t *testing.T) {
					c := wsDial(t, base, p)
					tc.do(c)
					if code, reason := c.closed(3 * time.Second); code != tc.code || reason != tc.reason {
						t.Errorf("closed with %d %q, want %d %q", code, reason, tc.code, tc.reason)
					}
				})
			}
			t.Run("QueryThenComplete", func(t *testing.T) {
				c := wsDial(t, base, p)
				c.init(token)
				c.subscribe("q", `{ currency(code: "USD") { code } }`)
				m := c.read(3 * time.Second)
				if m["id"] != "q" || fmt.Sprint(m["payload"]) != "map[data:map[currency:map[code:USD]]]" {
					t.Errorf("got %v, want the USD currency for q", m)
				}
				if m := c.read(3 * time.Second); m["id"] != "q" || m["type"] != "complete" {
					t.Errorf("got %v, want complete for q", m)
				}
			})
			t.Run("ValidationError", func(t *testing.T) {
				c := wsDial(t, base, p)
				c.init(token)
				c.subscribe("v", `subscription { rateChanged { nope } }`)
				m := c.read(3 * time.Second)
				if m["id"] != "v" || m["type"] != "error" || !strings.Contains(fmt.Sprint(m["payload"]), "nope") {
					t.Errorf("got %v, want an error message naming the field", m)
				}
			})
			t.Run("StopEndsTheSubscription", func(t *testing.T) {
				c := wsDial(t, base, p)
				c.init(token)
				c.subscribe("s", `subscription { rateChanged(base: "USD", target: "EUR", includeCurrent: true) { pair snapshot } }`)
				if e := c.change("s", 3*time.Second); e["snapshot"] != true {
					t.Fatalf("got %v, want the snapshot", e)
				}
				stop := map[string]string{"graphql-transport-ws": "complete", "graphql-ws": "stop"}[p]
				c.send(map[string]any{"id": "s", "type": stop})
				if p == "graphql-ws" {
					if m := c.read(3 * time.Second); m["id"] != "s" || m["type"] != "complete" {
						t.Fatalf("got %v, want complete after stop", m)
					}
				}
				updateRate(t, base, token, "0.9311")
				c.subscribe("q", `{ __typename }`)
				if m := c.read(3 * time.Second); m["id"] != "q" {
					t.Errorf("got %v after stopping s, want only q's answer", m)
				}
			})
		})
	}
	t.Run("PingPong", func(t *testing.T) {
		c := wsDial(t, base, "graphql-transport-ws")
		c.init(token)
		c.send(map[string]any{"type": "ping", "payload": map[string]any{"n": 1}})
		_ = c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		var m map[string]any
		if err := c.conn.ReadJSON(&m); err != nil || m["type"] != "pong" || fmt.Sprint(m["payload"]) != "map[n:1]" {
			t.Errorf("ping answered %v (%v), want pong with the payload", m, err)
		}
	})
	t.Run("NoSubprotocolIsLegacy", func(t *testing.T) {
		c := wsDial(t, base, "")
		c.init(token)
		c.send(map[string]any{"id": "1", "type": "start", "payload": map[string]any{"query": "{ __typename }"}})
		if m := c.read(3 * time.Second); m["type"] != "data" {
			t.Errorf("got %v, want a legacy data message", m)
		}
	})
}

// TestSubscriptionOverHTTP is refused at once, naming the transports.
func TestSubscriptionOverHTTP(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	token := loginOnDevice(t, base, "fx_admin", "fx-admin-pw", "over-http")
	for _, method := range []string{"POST", "GET"} {
		t.Run(method, func(t *testing.T) {
			q := `subscription { rateChanged { pair } }`
			var status int
			var out map[string]any
			if method == "POST" {
				body, _ := json.Marshal(map[string]string{"query": q})
				status, _, out = send(t, method, base+"/graphql", "application/json", string(body), map[string][]string{"Authorization": {"Bearer " + token}})
			} else {
				status, _, out = send(t, method, base+"/graphql?query="+strings.ReplaceAll(q, " ", "%20"), "", "", map[string][]string{"Authorization": {"Bearer " + token}, "Accept": {"application/graphql-response+json"}})
			}
			if status < 400 || status >= 500 || !strings.Contains(fmt.Sprint(out["errors"]), "graphql-transport-ws") || !strings.Contains(fmt.Sprint(out["errors"]), "graphql-sse") {
				t.Errorf("got %d %v, want a 4xx naming the transports", status, out)
			}
		})
	}
}
