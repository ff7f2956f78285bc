package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/fxgraph/gateway/store/storetest"
)

// gatewayBinary builds this command once per test binary.
var gatewayBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gateway-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "gateway")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is a gateway running as its own process.
type process struct {
	base string
	cmd  *exec.Cmd
	logs *syncBuffer
}

// startProcess starts the gateway binary on a free port with env and waits
// for /readyz.
func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	bin, err := gatewayBinary()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := &process{base: "http://" + addr, logs: &syncBuffer{}}
	p.cmd = exec.Command(bin, "serve", "-addr", addr, "-data-dir", t.TempDir())
	p.cmd.Env = append(os.Environ(), "BCRYPT_COST=4", "REVOCATION_POLL=100ms")
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, _ := tryGet(p.base + "/readyz"); status == 200 {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway not ready:\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *process) stop(t *testing.T) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("gateway exited with %v\n%s", err, p.logs)
		}
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Errorf("gateway did not stop within 15 s of SIGTERM")
	}
}

func tryGet(url string) (int, error) {
	c := &http.Client{Timeout: 3 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// subscriber is a graphql-transport-ws client of one subscription.
type subscriber struct {
	conn   *websocket.Conn
	events chan map[string]any
	closed chan error
}

// subscribe opens a websocket, authenticates, subscribes to query (which
// must ask for includeCurrent) and waits for the snapshot.
func subscribe(t *testing.T, base, token, query string) *subscriber {
	t.Helper()
	c := wsDial(t, base, "graphql-transport-ws")
	c.init(token)
	c.subscribe("1", query)
	conn := c.conn
	_ = conn.SetReadDeadline(time.Time{}) // the reader below waits as long as the test does
	s := &subscriber{conn: conn, events: make(chan map[string]any, 1024), closed: make(chan error, 1)}
	go func() {
		// As a client would: a change the snapshot already shows (its
		// sequence is not above the snapshot's) is dropped.
		snapshotSeq := -1.0
		for {
			var m map[string]any
			if err := conn.ReadJSON(&m); err != nil {
				s.closed <- err
				return
			}
			switch m["type"] {
			case "ping":
				_ = conn.WriteJSON(map[string]any{"type": "pong"})
			case "next":
				e := m["payload"].(map[string]any)["data"].(map[string]any)["rateChanged"].(map[string]any)
				seq, _ := e["sequence"].(float64)
				if e["snapshot"] == true {
					snapshotSeq = seq
				} else if seq <= snapshotSeq {
					continue
				}
				s.events <- e
			}
		}
	}()
	if e := s.next(t, 5*time.Second); e["snapshot"] != true {
		t.Fatalf("first event %v, want the snapshot of USDEUR", e)
	}
	return s
}

// next returns the next event, failing after timeout.
func (s *subscriber) next(t *testing.T, timeout time.Duration) map[string]any {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case err := <-s.closed:
		t.Fatalf("subscription closed: %v", err)
	case <-time.After(timeout):
		t.Fatalf("no event within %v", timeout)
	}
	return nil
}

// upTo returns the sequences of the events up to and including last.
func (s *subscriber) upTo(t *testing.T, last float64) []float64 {
	t.Helper()
	var got []float64
	for len(got) == 0 || got[len(got)-1] < last {
		got = append(got, s.next(t, 20*time.Second)["sequence"].(float64))
	}
	return got
}

// liveQuery asks for the current USDEUR rate first: once it arrives, the
// subscription is registered, and no later change can be missed.
const liveQuery = `subscription { rateChanged(base: "USD", target: "EUR", includeCurrent: true) { kind pair rate previousRate sequence snapshot } }`

// pgPair starts two gateway processes on one fresh PostgreSQL database,
// seeds USD and EUR with a rate, and returns them with an admin token of
// each and the DSN.
func pgPair(t *testing.T) (a, b *process, tokenA, tokenB, dsn string) {
	t.Helper()
	dsn = storetest.DSN(t, storetest.Postgres)
	env := map[string]string{"DATABASE_URL": dsn, "ADMIN_USERNAME": "live_admin", "ADMIN_PASSWORD": "live-admin-pw"}
	a = startProcess(t, env)
	b = startProcess(t, env)
	tokenA = loginOnDevice(t, a.base, "live_admin", "live-admin-pw", "device-a")
	tokenB = loginOnDevice(t, b.base, "live_admin", "live-admin-pw", "device-b")
	for _, q := range []string{
		`mutation { createCurrency(input: {code: "USD", name: "US Dollar", sign: "$"}) { code } }`,
		`mutation { createCurrency(input: {code: "EUR", name: "Euro", sign: "€"}) { code } }`,
		`mutation { createExchangeRate(input: {baseCode: "USD", targetCode: "EUR", rate: "0.9"}) { id } }`,
	} {
		if _, out := postGraphQL(t, a.base, tokenA, q); out["errors"] != nil {
			t.Fatalf("%s: %v", q, out["errors"])
		}
	}
	return a, b, tokenA, tokenB, dsn
}

func updateRate(t *testing.T, base, token, rate string) map[string]any {
	t.Helper()
	_, out := postGraphQL(t, base, token, fmt.Sprintf(`mutation { updateExchangeRate(pair: "USDEUR", rate: %q) { rate } }`, rate))
	return out
}

func TestTwoInstances(t *testing.T) {
	a, b, tokenA, tokenB, _ := pgPair(t)
	onA, onB := subscribe(t, a.base, tokenA, liveQuery), subscribe(t, b.base, tokenB, liveQuery)
	if out := updateRate(t, a.base, tokenA, "0.91"); out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	for name, s := range map[string]*subscriber{"A": onA, "B": onB} {
		e := s.next(t, 5*time.Second)
		if e["kind"] != "UPDATED" || e["rate"] != "0.91" || e["previousRate"] != "0.9" || e["sequence"] != float64(2) {
			t.Errorf("subscriber on %s got %v, want USDEUR 0.9 → 0.91, sequence 2", name, e)
		}
	}
	// Through B this time: exactly once each, in order.
	for i, r := range []string{"0.92", "0.93", "0.94"} {
		updateRate(t, b.base, tokenB, r)
		for name, s := range map[string]*subscriber{"A": onA, "B": onB} {
			if e := s.next(t, 5*time.Second); e["rate"] != r || e["sequence"] != float64(3+i) {
				t.Errorf("subscriber on %s got %v, want %s with sequence %d", name, e, r, 3+i)
			}
		}
	}
	select {
	case e := <-onA.events:
		t.Errorf("an extra event on A: %v", e)
	case <-time.After(300 * time.Millisecond):
	}
}

// sequencesInStore returns the sequence numbers of the pair's logged changes.
func sequencesInStore(t *testing.T, dsn string) []float64 {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT seq FROM rate_changes WHERE base_code = 'USD' AND target_code = 'EUR' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, float64(s))
	}
	return out
}

func TestListenerResync(t *testing.T) {
	a, b, tokenA, tokenB, dsn := pgPair(t)
	onB := subscribe(t, b.base, tokenB, liveQuery)
	// Cut every LISTENing connection (B's and A's listeners), then change
	// the rate at once: the notification is lost for the cut listeners;
	// the resynchronisation after they reconnect must bring it.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n < 2 {
		t.Fatalf("cut %d listener connections, want the 2 of A and B", n)
	}
	updateRate(t, a.base, tokenA, "0.95")
	if e := onB.next(t, 10*time.Second); e["rate"] != "0.95" || e["sequence"] != float64(2) {
		t.Errorf("after the listener was cut, B got %v, want 0.95 with sequence 2", e)
	}
	if !strings.Contains(b.logs.String(), "reconnecting") {
		t.Errorf("B's log does not show the reconnection:\n%s", b.logs)
	}
}

func TestPostgresRestart(t *testing.T) {
	cluster := storetest.Cluster(t)
	a, b, tokenA, tokenB, dsn := pgPair(t)
	onA, onB := subscribe(t, a.base, tokenA, liveQuery), subscribe(t, b.base, tokenB, liveQuery)
	updateRate(t, a.base, tokenA, "0.96") // sequence 2, committed just before the outage
	if err := cluster.Down(); err != nil {
		t.Fatal(err)
	}
	if out := updateRate(t, a.base, tokenA, "0.5"); out["errors"] == nil {
		t.Errorf("an update during the outage succeeded: %v", out)
	}
	if status, _ := tryGet(a.base + "/readyz"); status != 503 {
		t.Errorf("/readyz during the outage = %d, want 503", status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cluster.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Writes work again once the pool reconnects.
	deadline := time.Now().Add(20 * time.Second)
	for out := updateRate(t, a.base, tokenA, "0.97"); out["errors"] != nil; out = updateRate(t, a.base, tokenA, "0.97") {
		if time.Now().After(deadline) {
			t.Fatalf("updates still fail after the restart: %v", out["errors"])
		}
	}
	updateRate(t, b.base, tokenB, "0.98")
	stored := sequencesInStore(t, dsn)
	for name, s := range map[string]*subscriber{"A": onA, "B": onB} {
		got := s.upTo(t, stored[len(stored)-1])
		// Every committed change after the first (sequence 1, the creation,
		// before subscribing) reached the subscriber, once, in order.
		if want := stored[1:]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("subscriber on %s got sequences %v, the store has %v", name, got, want)
		}
		t.Logf("subscriber on %s got sequences %v; the store has %v", name, got, stored)
	}
	for name, p := range map[string]*process{"A": a, "B": b} {
		if !strings.Contains(p.logs.String(), "reconnecting") {
			t.Errorf("%s's listener did not reconnect after the restart:\n%s", name, p.logs)
		}
	}
}

func TestShutdownClosesWebsockets(t *testing.T) {
	dataDir := t.TempDir()
	base, stop, _ := startGateway(t, nil, map[string]string{"DATA_DIR": dataDir, "BCRYPT_COST": "4"})
	token := loginDemoAdmin(t, base, dataDir)
	s := subscribe(t, base, token, liveQuery)
	if err := stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	select {
	case err := <-s.closed:
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("the subscriber saw %v, want a close frame 1001 (going away)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the websocket was not closed by the shutdown")
	}
}

func TestNoGoroutineOutlivesServer(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	dataDir := t.TempDir()
	base, stop, _ := startGateway(t, nil, map[string]string{"DATA_DIR": dataDir, "BCRYPT_COST": "4"})
	token := loginDemoAdmin(t, base, dataDir)
	s := subscribe(t, base, token, liveQuery)
	if out := updateRateOf(t, base, token); out["errors"] != nil {
		t.Fatal(out["errors"])
	}
	s.next(t, 5*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	<-s.closed // the client's reader ends with the socket
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			var b strings.Builder
			_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Fatalf("%d goroutines after the server stopped, %d before:\n%s", runtime.NumGoroutine(), before, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// updateRateOf changes the demo USDEUR rate.
func updateRateOf(t *testing.T, base, token string) map[string]any {
	t.Helper()
	return updateRate(t, base, token, "0.8765")
}

// TestPostgresRestartUnderLoad stops PostgreSQL for 3 s while a writer
// updates the rate through A as fast as it can: the subscribers on A and
// on B get every committed change once, in order, and live events flow
// again soon after the database is back.
func TestPostgresRestartUnderLoad(t *testing.T) {
	cluster := storetest.Cluster(t)
	a, b, tokenA, tokenB, dsn := pgPair(t)
	onA, onB := subscribe(t, a.base, tokenA, liveQuery), subscribe(t, b.base, tokenB, liveQuery)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_, _ = tryPostGraphQL(a.base, tokenA, fmt.Sprintf(`mutation { updateExchangeRate(pair: "USDEUR", rate: "0.%04d") { rate } }`, 1000+i%9000))
		}
	})
	time.Sleep(500 * time.Millisecond)
	if err := cluster.Down(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cluster.Up(ctx); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	time.Sleep(2 * time.Second) // writes go on after the restart
	close(stop)
	wg.Wait()
	updateRate(t, b.base, tokenB, "0.9999") // a last one, through B
	stored := sequencesInStore(t, dsn)
	bases := map[string]string{"A": a.base, "B": b.base}
	for name, s := range map[string]*subscriber{"A": onA, "B": onB} {
		got := s.upTo(t, stored[len(stored)-1])
		// Every committed change after the creation reached the
		// subscriber, once, in order: none coalesced.
		if want := stored[1:]; fmt.Sprint(got) != fmt.Sprint(want) {
			m := scrape(t, bases[name]+"/metrics")
			t.Errorf("subscriber on %s got %d changes, the store has %d after the creation; first difference at %d (its gateway: coalesced %v, dropped %v, resyncs %v, reconnects %v)",
				name, len(got), len(want), firstDiff(got, want), m["gateway_change_events_coalesced_total"], m["gateway_change_events_dropped_total"],
				m["gateway_change_events_resyncs_total"], m["gateway_listener_reconnects_total"])
			continue
		}
		t.Logf("subscriber on %s got all %d committed changes; PostgreSQL was back %v before the end", name, len(got), time.Since(back).Round(time.Millisecond))
	}
}

func firstDiff(a, b []float64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// tryPostGraphQL posts an operation and reports its status, or an error
// when the gateway does not answer.
func tryPostGraphQL(base, token, query string) (int, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}
