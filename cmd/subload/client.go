package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The client side: GraphQL over HTTP for the mutations, and one
// graphql-transport-ws subscriber per connection.

type gqlClient struct {
	url    string
	token  string
	client *http.Client
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (e gqlError) code() string { s, _ := e.Extensions["code"].(string); return s }

func (g *gqlClient) do(ctx context.Context, query string, vars map[string]any, out any) ([]gqlError, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	if out != nil && len(answer.Data) > 0 && string(answer.Data) != "null" {
		if err := json.Unmarshal(answer.Data, out); err != nil {
			return nil, err
		}
	}
	return answer.Errors, nil
}

func errorsText(errs []gqlError) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (%s)", e.Message, e.code())
	}
	return b.String()
}

func (g *gqlClient) signIn(ctx context.Context, login, password string) (string, error) {
	var out struct {
		Login struct {
			AccessToken string `json:"accessToken"`
		} `json:"login"`
	}
	errs, err := g.do(ctx, `mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p, deviceId: "subload"}) { accessToken } }`,
		map[string]any{"l": login, "p": password}, &out)
	if err != nil {
		return "", err
	}
	if len(errs) > 0 || out.Login.AccessToken == "" {
		return "", fmt.Errorf("login as %s: %s", login, errorsText(errs))
	}
	return out.Login.AccessToken, nil
}

// ensurePair creates the pair's currencies and rate when they are missing.
func (g *gqlClient) ensurePair(ctx context.Context, base, target string) error {
	for _, code := range []string{base, target} {
		errs, err := g.do(ctx, `mutation($c: String!) { createCurrency(input: {code: $c, name: $c, sign: "¤"}) { code } }`,
			map[string]any{"c": code}, nil)
		if err != nil {
			return err
		}
		if len(errs) > 0 && errs[0].code() != "CONFLICT" {
			return fmt.Errorf("createCurrency %s: %s", code, errorsText(errs))
		}
	}
	errs, err := g.do(ctx, `mutation($b: String!, $t: String!) { createExchangeRate(input: {baseCode: $b, targetCode: $t, rate: "1.0000"}) { id } }`,
		map[string]any{"b": base, "t": target}, nil)
	if err != nil {
		return err
	}
	if len(errs) > 0 && errs[0].code() != "CONFLICT" {
		return fmt.Errorf("createExchangeRate %s%s: %s", base, target, errorsText(errs))
	}
	return nil
}

func (g *gqlClient) updateRate(ctx context.Context, pair, rate string) error {
	var out struct {
		Update struct {
			Rate string `json:"rate"`
		} `json:"updateExchangeRate"`
	}
	errs, err := g.do(ctx, `mutation($p: String!, $r: Decimal!) { updateExchangeRate(pair: $p, rate: $r) { rate } }`,
		map[string]any{"p": pair, "r": rate}, &out)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("updateExchangeRate %s %s: %s", pair, rate, errorsText(errs))
	}
	return nil
}

// rateFor is the rate of update i: alternately above and below 1, never
// twice the same, so that every update is a change.
func rateFor(i int) string {
	if i%2 == 0 {
		return fmt.Sprintf("%.4f", 0.8+0.0001*float64(i+1))
	}
	return fmt.Sprintf("%.4f", 1.2-0.0001*float64(i+1))
}

// ---------------------------------------------------------------------------
// memory of the gateway

// subscriber is one websocket connection with one subscription.
type subscriber struct {
	conn *websocket.Conn
	// recv[i] is when update i arrived, in ns since the run's start; 0 when
	// it has not. Written by the subscriber's goroutine only, read after
	// the updates.
	recv  []int64
	dups  int32
	wrong int32                 // a rate that is not the one update sent
	other int32                 // unexpected sequence numbers (not one of this run's updates)
	err   atomic.Pointer[error] // the first error of the connection
}

type run1 struct {
	o        options
	start    time.Time
	expected atomic.Int64 // seq of the first update; 0 until known
	rates    []float64
	// delivered[i] counts subscribers that have update i; done[i] closes
	// when it reaches n.
	delivered []atomic.Int64
	done      []chan struct{}

	subscribed atomic.Int64
	failed     atomic.Int64
	ready      chan struct{} // closed when subscribed+failed reaches n
	readyOnce  sync.Once
	baseSeq    sync.Map // snapshot sequence numbers seen (all must agree)
}

func (r *run1) markReady() {
	if r.subscribed.Load()+r.failed.Load() == int64(r.o.n) {
		r.readyOnce.Do(func() { close(r.ready) })
	}
}

// fieldInt finds key in b and parses the integer after it.
func fieldInt(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return n, err == nil
}

func fieldString(b, key []byte) ([]byte, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return nil, false
	}
	b = b[i+len(key):]
	j := bytes.IndexByte(b, '"')
	if j < 0 {
		return nil, false
	}
	return b[:j], true
}

// open connects, initialises and subscribes; it returns once the
// subscription is known to exist (the snapshot arrived) or, without
// -include-current, once the subscribe message is sent.
func (r *run1) open(ctx context.Context, s *subscriber, subscribeMsg []byte, initMsg []byte) error {
	hctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	c, resp, err := dialer.DialContext(hctx, r.o.wsURL, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return fmt.Errorf("dial: %w", err)
	}
	s.conn = c
	c.SetReadLimit(1 << 20)
	deadline, _ := hctx.Deadline()
	_ = c.SetReadDeadline(deadline)
	if err := c.WriteMessage(websocket.TextMessage, initMsg); err != nil {
		return fmt.Errorf("connection_init: %w", err)
	}
	for {
		_, m, err := c.ReadMessage()
		if err != nil {
			return fmt.Errorf("waiting for connection_ack: %w", err)
		}
		if bytes.Contains(m, msgAck) {
			break
		}
		if bytes.HasPrefix(m, msgPing) {
			if err := c.WriteMessage(websocket.TextMessage, pong); err != nil {
				return err
			}
			continue
		}
		if bytes.Contains(m, []byte(`"type":"pong"`)) {
			continue
		}
		return fmt.Errorf("instead of connection_ack: %.200s", m)
	}
	if err := c.WriteMessage(websocket.TextMessage, subscribeMsg); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	if r.o.includeCurrent {
		for {
			_, m, err := c.ReadMessage()
			if err != nil {
				return fmt.Errorf("waiting for the current rate: %w", err)
			}
			if bytes.HasPrefix(m, msgPing) {
				if err := c.WriteMessage(websocket.TextMessage, pong); err != nil {
					return err
				}
				continue
			}
			if !bytes.Contains(m, msgNext) {
				return fmt.Errorf("instead of the current rate: %.200s", m)
			}
			seq, ok := fieldInt(m, keySequence)
			if !ok {
				return fmt.Errorf("no sequence in %.200s", m)
			}
			r.baseSeq.Store(seq, true)
			break
		}
	}
	_ = c.SetReadDeadline(time.Time{})
	return nil
}

// read receives changes until the connection closes.
func (r *run1) read(s *subscriber) {
	for {
		_, m, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Since(r.start).Nanoseconds()
		if bytes.HasPrefix(m, msgPing) {
			if err := s.conn.WriteMessage(websocket.TextMessage, pong); err != nil {
				return
			}
			continue
		}
		if !bytes.Contains(m, msgNext) {
			if bytes.Contains(m, []byte(`"type":"pong"`)) {
				continue
			}
			e := fmt.Errorf("unexpected message: %.200s", m)
			s.err.CompareAndSwap(nil, &e)
			continue
		}
		seq, ok := fieldInt(m, keySequence)
		first := r.expected.Load()
		if !ok || first == 0 || seq < first || seq >= first+int64(len(s.recv)) {
			atomic.AddInt32(&s.other, 1)
			continue
		}
		i := int(seq - first)
		if atomic.LoadInt64(&s.recv[i]) != 0 {
			atomic.AddInt32(&s.dups, 1)
			continue
		}
		atomic.StoreInt64(&s.recv[i], now)
		if rate, ok := fieldString(m, keyRate); ok {
			if f, err := strconv.ParseFloat(string(rate), 64); err != nil || math.Abs(f-r.rates[i]) > 1e-9 {
				atomic.AddInt32(&s.wrong, 1)
			}
		}
		if r.delivered[i].Add(1) == int64(r.o.n) {
			close(r.done[i])
		}
	}
}

// ---------------------------------------------------------------------------
// the run
