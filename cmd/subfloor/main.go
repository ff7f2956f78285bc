// Command subfloor is the floor of the subscription load run
// (scripts/load-subscribers): the least a websocket server must do to fan
// one rate change out to many subscribers, on the same library the gateway
// uses (gorilla/websocket, with the gateway's buffer sizes and a write
// buffer pool). No GraphQL, no authentication, no store, no limits.
//
//   - A change is framed once (a websocket.PreparedMessage per subscription
//     id; cmd/subload gives every subscription the id "1") and written by
//     two writer goroutines, each taking half of the subscribers.
//   - An idle connection is one goroutine (the reader) and no buffers.
//
// It speaks just enough for cmd/subload:
//
//	POST /graphql  a body whose query holds "login(" answers a token;
//	               "updateExchangeRate" takes $r as the new rate, hands the
//	               change to the fan-out and answers at once
//	GET  /graphql  graphql-transport-ws: connection_init, subscribe (the
//	               current rate first, as includeCurrent does), ping, complete
//	GET  /readyz   200
//
//	subfloor -addr 127.0.0.1:9001
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "loopback address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "subfloor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: listen on a loopback address", addr)
	}
	f := newFloor()
	go f.dispatch(ctx)
	srv := &http.Server{Addr: addr, Handler: f.routes(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	f.closeAll()
	return nil
}

// routes is the floor's whole URL space.
func (f *floor) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /graphql", f.serveHTTP)
	mux.HandleFunc("GET /graphql", f.serveWebsocket)
	return mux
}

// change is one rate update.
type change struct {
	sequence int64
	rate     string
	at       time.Time
}

func (c change) payload(id string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"type":"next","payload":{"data":{"rateChanged":{"sequence":%d,"rate":%q,"at":%q}}}}`,
		id, c.sequence, c.rate, c.at.UTC().Format(time.RFC3339Nano))
}

// conn is one websocket connection; wmu orders its writes.
type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
	id  string // the subscription's id; "" before subscribe
}

func (c *conn) write(m []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, m)
}

type floor struct {
	upgrader websocket.Upgrader
	changes  chan string // new rates, in the order the mutations arrived

	mu      sync.Mutex
	current change
	subs    map[*conn]struct{}
	nextSeq int64
}

func newFloor() *floor {
	return &floor{
		upgrader: websocket.Upgrader{
			ReadBufferSize:  512,
			WriteBufferSize: 4096,
			WriteBufferPool: &sync.Pool{},
			Subprotocols:    []string{"graphql-transport-ws"},
			CheckOrigin:     func(*http.Request) bool { return true },
		},
		changes: make(chan string, 1024),
		current: change{sequence: 1, rate: "1.0000", at: time.Now()},
		subs:    make(map[*conn]struct{}),
		nextSeq: 2,
	}
}

// serveHTTP answers the two mutations cmd/subload sends.
func (f *floor) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string            `json:"query"`
		Variables map[string]string `json:"variables"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.Contains(req.Query, "login("):
		_, _ = io.WriteString(w, `{"data":{"login":{"accessToken":"floor"}}}`)
	case strings.Contains(req.Query, "updateExchangeRate"):
		rate := req.Variables["r"]
		select {
		case f.changes <- rate:
		default:
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintf(w, `{"data":{"updateExchangeRate":{"rate":%q}}}`, rate)
	default:
		_, _ = io.WriteString(w, `{"errors":[{"message":"the floor answers login and updateExchangeRate only"}]}`)
	}
}

// dispatch fans each change out, one at a time, with two writers.
func (f *floor) dispatch(ctx context.Context) {
	for {
		var rate string
		select {
		case rate = <-f.changes:
		case <-ctx.Done():
			return
		}
		f.mu.Lock()
		f.current = change{sequence: f.nextSeq, rate: rate, at: time.Now()}
		f.nextSeq++
		c := f.current
		list := make([]*conn, 0, len(f.subs))
		for s := range f.subs {
			list = append(list, s)
		}
		f.mu.Unlock()

		frames := map[string]*websocket.PreparedMessage{}
		for _, s := range list {
			if _, ok := frames[s.id]; !ok {
				pm, err := websocket.NewPreparedMessage(websocket.TextMessage, c.payload(s.id))
				if err != nil {
					continue
				}
				frames[s.id] = pm
			}
		}
		half := len(list) / 2
		var wg sync.WaitGroup
		for _, part := range [][]*conn{list[:half], list[half:]} {
			wg.Go(func() {
				for _, s := range part {
					pm := frames[s.id]
					if pm == nil {
						continue
					}
					s.wmu.Lock()
					_ = s.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
					err := s.ws.WritePreparedMessage(pm)
					s.wmu.Unlock()
					if err != nil {
						f.drop(s)
					}
				}
			})
		}
		wg.Wait()
	}
}

func (f *floor) drop(s *conn) {
	f.mu.Lock()
	delete(f.subs, s)
	f.mu.Unlock()
	_ = s.ws.Close()
}

func (f *floor) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		_ = s.ws.Close()
	}
}

// serveWebsocket is the reader of one connection, for its whole life.
func (f *floor) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	ws, err := f.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 16)
	c := &conn{ws: ws}
	defer f.drop(c)
	for {
		_, m, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var msg struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if json.Unmarshal(m, &msg) != nil {
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4400, "invalid message"), time.Now().Add(time.Second))
			return
		}
		if err := f.handle(c, msg.Type, msg.ID); err != nil {
			return
		}
	}
}

var errClose = errors.New("close")

func (f *floor) handle(c *conn, typ, id string) error {
	switch typ {
	case "connection_init":
		return c.write([]byte(`{"type":"connection_ack"}`))
	case "ping":
		return c.write([]byte(`{"type":"pong"}`))
	case "pong":
		return nil
	case "subscribe":
		if id == "" {
			return errClose
		}
		// The current value first, then every change: registering and
		// reading the current value under f.mu, and holding the
		// connection's write lock until the current value is written,
		// keep a change from overtaking it or being missed.
		f.mu.Lock()
		c.wmu.Lock()
		c.id = id
		f.subs[c] = struct{}{}
		cur := f.current
		f.mu.Unlock()
		_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
		err := c.ws.WriteMessage(websocket.TextMessage, cur.payload(id))
		c.wmu.Unlock()
		return err
	case "complete":
		f.mu.Lock()
		delete(f.subs, c)
		f.mu.Unlock()
		return nil
	default:
		return errClose
	}
}
