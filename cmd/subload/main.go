// Command subload measures rate-change delivery to many websocket
// subscribers of one gateway (or, with -cross, of a second gateway sharing
// the first one's PostgreSQL database). It sends traffic to loopback
// addresses only.
//
// It opens -n websocket connections (graphql-transport-ws, one subscription
// per connection, as a dashboard does), ramping up in batches, subscribes
// each to rateChanged of -pair and waits until every subscription answered
// (with -include-current the first message, the current rate, proves that
// the subscription exists on the server). It reads the gateway's resident
// memory (VmRSS of -pid) before the first connection and once all are
// subscribed and idle, then sends -updates rate updates over HTTP, one at a
// time, and records for each subscriber the time from sending the mutation
// to receiving the change (one machine, one monotonic clock). It prints a
// summary and one machine-readable line starting with "result:".
//
//	subload -url ws://127.0.0.1:8080/graphql -http http://127.0.0.1:8080 -token T -pid 1234
//	subload -cross -url ws://B/graphql -http http://A ...   subscribers on B, updates through A
//	subload -pg-cluster                                      run a throwaway PostgreSQL (internal/pgtest)
//
// The exit status is 1 when a delivery was missing or duplicated, a
// subscriber failed, or the run did not finish in -timeout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

type options struct {
	wsURL, httpURL   string
	token            string
	login, pwFile    string
	n                int
	pair             string
	updates          int
	interval         time.Duration
	timeout          time.Duration
	deliverTimeout   time.Duration
	batch            int
	batchPause       time.Duration
	settle           time.Duration
	pid              int
	pprofURL         string
	profileDir       string
	cross            bool
	includeCurrent   bool
	createPair       bool
	label            string
	pgCluster        bool
	pgMaxLife        time.Duration
	clientGoMaxProcs int
	clientProfile    string
}

func main() {
	var o options
	flag.StringVar(&o.wsURL, "url", "ws://127.0.0.1:8080/graphql", "websocket URL of the gateway the subscribers connect to (instance B with -cross)")
	flag.StringVar(&o.httpURL, "http", "http://127.0.0.1:8080", "base URL of the gateway the mutations go to (instance A with -cross)")
	flag.StringVar(&o.token, "token", "", "bearer token of a user allowed to update rates (else -login and -password-file)")
	flag.StringVar(&o.login, "login", "", "sign in as this user when -token is empty")
	flag.StringVar(&o.pwFile, "password-file", "", "file holding the password of -login (or set SUBLOAD_PASSWORD)")
	flag.IntVar(&o.n, "n", 10000, "subscribers, one websocket connection each (0: time the mutations alone)")
	flag.StringVar(&o.pair, "pair", "USDEUR", "the pair subscribed to and updated")
	flag.IntVar(&o.updates, "updates", 20, "rate updates to send, one at a time")
	flag.DurationVar(&o.interval, "interval", 500*time.Millisecond, "spacing of the updates (start to start; an update also waits for the previous one's deliveries)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "bound of the whole run")
	flag.DurationVar(&o.deliverTimeout, "deliver-timeout", 15*time.Second, "how long one update may take to reach every subscriber")
	flag.IntVar(&o.batch, "batch", 250, "connections opened at once while ramping up")
	flag.DurationVar(&o.batchPause, "batch-pause", 20*time.Millisecond, "pause between ramp-up batches")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "idle time after the last subscription before memory is read")
	flag.IntVar(&o.pid, "pid", 0, "pid of the gateway the subscribers connect to, for its resident memory (0: not measured)")
	flag.StringVar(&o.pprofURL, "pprof", "", "base URL of that gateway's net/http/pprof, if it has one, for the Go runtime's view (heap, stacks, goroutines)")
	flag.StringVar(&o.profileDir, "profile-dir", "", "with -pprof: save the gateway's heap and goroutine profiles (idle, all subscribed) and a CPU profile of the updates here")
	flag.StringVar(&o.clientProfile, "client-cpuprofile", "", "write this client's CPU profile of the updates to the file")
	flag.BoolVar(&o.cross, "cross", false, "cross-instance run: -http is instance A, -url instance B (labels the report)")
	flag.BoolVar(&o.includeCurrent, "include-current", true, "subscribe with includeCurrent: the current rate, sent first, proves the subscription is registered")
	flag.BoolVar(&o.createPair, "create-pair", false, "create the pair's currencies and rate first when missing (an empty PostgreSQL database)")
	flag.StringVar(&o.label, "label", "", "name of the run in the result line")
	flag.BoolVar(&o.pgCluster, "pg-cluster", false, "start a throwaway PostgreSQL (internal/pgtest, or TEST_DATABASE_URL), print DATABASE_URL=<dsn>, and stop it on SIGTERM or SIGINT")
	flag.DurationVar(&o.pgMaxLife, "pg-max-life", 60*time.Minute, "with -pg-cluster: stop the cluster after this long anyway")
	flag.IntVar(&o.clientGoMaxProcs, "client-procs", 0, "GOMAXPROCS of this client (0: the Go default)")
	flag.Parse()

	if o.pgCluster {
		if err := runPGCluster(o.pgMaxLife); err != nil {
			fmt.Fprintln(os.Stderr, "subload:", err)
			os.Exit(1)
		}
		return
	}
	if o.clientGoMaxProcs > 0 {
		runtime.GOMAXPROCS(o.clientGoMaxProcs)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ok, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subload:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "subload: "+format+"\n", args...)
}

// raiseFileLimit raises RLIMIT_NOFILE's soft limit to the hard limit.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, err
		}
	}
	return l.Cur, nil
}

// loopbackOnly refuses URLs that do not point at this machine.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed", raw)
}

// ---------------------------------------------------------------------------
// HTTP: login and mutations

var (
	dialer = websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		Subprotocols:     []string{"graphql-transport-ws"},
		ReadBufferSize:   512,
		WriteBufferSize:  512,
		WriteBufferPool:  &sync.Pool{},
		NetDialContext:   (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
	}
	msgPing     = []byte(`{"type":"ping"`)
	msgNext     = []byte(`"type":"next"`)
	msgAck      = []byte(`"type":"connection_ack"`)
	keySequence = []byte(`"sequence":`)
	keyRate     = []byte(`"rate":"`)
	pong        = []byte(`{"type":"pong"}`)
)

func run(ctx context.Context, o options) (bool, error) {
	if o.n < 0 || o.updates < 1 || o.batch < 1 {
		return false, errors.New("-updates and -batch must be at least 1, -n at least 0")
	}
	if len(o.pair) != 6 {
		return false, fmt.Errorf("-pair: want six letters such as USDEUR, got %q", o.pair)
	}
	for _, u := range []string{o.wsURL, o.httpURL, o.pprofURL} {
		if u == "" {
			continue
		}
		if err := loopbackOnly(u); err != nil {
			return false, err
		}
	}
	limit, err := raiseFileLimit()
	if err != nil {
		return false, fmt.Errorf("raise the file limit: %w", err)
	}
	if need := uint64(o.n) + 64; limit < need {
		return false, fmt.Errorf("the open-file limit is %d, and %d subscribers need about %d", limit, o.n, need)
	}

	gql := &gqlClient{
		url:    strings.TrimSuffix(o.httpURL, "/") + "/graphql",
		token:  o.token,
		client: &http.Client{Timeout: 30 * time.Second},
	}
	if gql.token == "" {
		if o.login == "" {
			return false, errors.New("give -token, or -login with -password-file (or SUBLOAD_PASSWORD)")
		}
		password := os.Getenv("SUBLOAD_PASSWORD")
		if o.pwFile != "" {
			b, err := os.ReadFile(o.pwFile)
			if err != nil {
				return false, err
			}
			password = strings.TrimSpace(string(b))
		}
		if gql.token, err = gql.signIn(ctx, o.login, password); err != nil {
			return false, err
		}
	}
	base, target := o.pair[:3], o.pair[3:]
	if o.createPair {
		if err := gql.ensurePair(ctx, base, target); err != nil {
			return false, err
		}
	}

	mode := "single"
	if o.cross {
		mode = "cross"
	}
	label := o.label
	if label == "" {
		label = mode
	}
	cpu, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for line := range strings.SplitSeq(string(cpu), "\n") {
		if rest, ok := strings.CutPrefix(line, "model name"); ok {
			model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
			break
		}
	}
	logf("%s run: %d subscribers on %s, %d updates of %s through %s; %d CPUs (%s), open-file limit %d",
		mode, o.n, o.wsURL, o.updates, o.pair, gql.url, runtime.NumCPU(), model, limit)

	r := &run1{
		o:         o,
		start:     time.Now(),
		rates:     make([]float64, o.updates),
		delivered: make([]atomic.Int64, o.updates),
		done:      make([]chan struct{}, o.updates),
		ready:     make(chan struct{}),
	}
	for i := range o.updates {
		r.rates[i], _ = strconv.ParseFloat(rateFor(i), 64)
		r.done[i] = make(chan struct{})
		if o.n == 0 {
			close(r.done[i]) // nobody to deliver to: the run times the mutations alone
		}
	}

	// Memory before the first connection.
	var rssBefore, rssAfter int64
	var rtBefore, rtAfter runtimeView
	var cpuBefore, cpuIdleStart, cpuIdleEnd int64
	if o.pid > 0 {
		time.Sleep(500 * time.Millisecond)
		rtBefore = readRuntime(ctx, o.pprofURL)
		if rssBefore, err = vmRSS(o.pid); err != nil {
			return false, fmt.Errorf("-pid %d: %w", o.pid, err)
		}
		cpuBefore = cpuTicks(o.pid)
	}

	initMsg, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + gql.token}})
	query := fmt.Sprintf(`subscription { rateChanged(base: %q, target: %q) { sequence rate at } }`, base, target)
	if o.includeCurrent {
		query = fmt.Sprintf(`subscription { rateChanged(base: %q, target: %q, includeCurrent: true) { sequence rate at } }`, base, target)
	}
	subscribeMsg, _ := json.Marshal(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]string{"query": query}})

	subs := make([]*subscriber, o.n)
	var readers sync.WaitGroup
	rampStart := time.Now()
	var firstErr atomic.Pointer[error]
	// Ramp up: batches of -batch connections opening at once.
	sem := make(chan struct{}, o.batch)
	for i := range o.n {
		s := &subscriber{recv: make([]int64, o.updates)}
		subs[i] = s
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return false, fmt.Errorf("ramp-up: %w after %d connections", ctx.Err(), i)
		}
		if i > 0 && i%o.batch == 0 && o.batchPause > 0 {
			time.Sleep(o.batchPause)
		}
		readers.Go(func() {
			err := r.open(ctx, s, subscribeMsg, initMsg)
			<-sem
			if err != nil {
				s.err.Store(&err)
				firstErr.CompareAndSwap(nil, &err)
				r.failed.Add(1)
				r.markReady()
				if s.conn != nil {
					s.conn.Close()
				}
				return
			}
			r.subscribed.Add(1)
			r.markReady()
			r.read(s)
		})
		if (i+1)%1000 == 0 {
			logf("ramp-up: %d connections started, %d subscribed, %d failed", i+1, r.subscribed.Load(), r.failed.Load())
		}
	}
	if o.n == 0 {
		r.readyOnce.Do(func() { close(r.ready) })
	}
	select {
	case <-r.ready:
	case <-ctx.Done():
		return false, fmt.Errorf("ramp-up: %w with %d subscribed, %d failed", ctx.Err(), r.subscribed.Load(), r.failed.Load())
	}
	rampTime := time.Since(rampStart)
	closeAll := func() {
		// Close every connection (a close frame, then the socket), 64 at a
		// time, and wait for the readers.
		sem := make(chan struct{}, 64)
		var wg sync.WaitGroup
		for _, s := range subs {
			if s.conn == nil {
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				_ = s.conn.Close()
			})
		}
		wg.Wait()
		done := make(chan struct{})
		go func() { readers.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			logf("some readers did not end within 30 s")
		}
	}
	defer closeAll()
	if f := r.failed.Load(); f > 0 {
		var e error
		if p := firstErr.Load(); p != nil {
			e = *p
		}
		return false, fmt.Errorf("%d of %d subscribers failed to subscribe; first error: %v", f, o.n, e)
	}
	var seqs []int64
	r.baseSeq.Range(func(k, _ any) bool { seqs = append(seqs, k.(int64)); return true })
	slices.Sort(seqs)
	if o.includeCurrent && o.n > 0 {
		if len(seqs) != 1 {
			return false, fmt.Errorf("the subscribers saw different current sequence numbers %v: is something else updating %s?", seqs, o.pair)
		}
	} else {
		// Without a snapshot the sequence is unknown: read it from a
		// throw-away subscription.
		probe := &subscriber{recv: make([]int64, 0)}
		po := o
		po.includeCurrent = true
		pr := &run1{o: po}
		pq := fmt.Sprintf(`subscription { rateChanged(base: %q, target: %q, includeCurrent: true) { sequence } }`, base, target)
		pm, _ := json.Marshal(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]string{"query": pq}})
		if err := pr.open(ctx, probe, pm, initMsg); err != nil {
			return false, fmt.Errorf("probe: %w", err)
		}
		probe.conn.Close()
		pr.baseSeq.Range(func(k, _ any) bool { seqs = append(seqs, k.(int64)); return true })
		if len(seqs) != 1 {
			return false, errors.New("probe: no sequence")
		}
	}
	r.expected.Store(seqs[0] + 1)
	logf("ramp-up: %d subscribed in %v (current sequence %d); settling %v", o.n, rampTime.Round(time.Millisecond), seqs[0], o.settle)

	select {
	case <-time.After(o.settle):
	case <-ctx.Done():
		return false, ctx.Err()
	}
	gatewayThreads := 0
	var idleCPU float64
	if o.pid > 0 {
		cpuIdleStart = cpuTicks(o.pid)
		t0 := time.Now()
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return false, ctx.Err()
		}
		cpuIdleEnd = cpuTicks(o.pid)
		// clock ticks are 100 Hz on Linux.
		idleCPU = float64(cpuIdleEnd-cpuIdleStart) / 100 / time.Since(t0).Seconds()
		if rssAfter, err = vmRSS(o.pid); err != nil {
			return false, fmt.Errorf("-pid %d: %w", o.pid, err)
		}
		gatewayThreads = threads(o.pid)
		rtAfter = readRuntime(ctx, o.pprofURL)
	}
	var cpuProfile sync.WaitGroup
	if o.pprofURL != "" && o.profileDir != "" {
		for name, path := range map[string]string{
			"heap.pb.gz":        "/debug/pprof/heap?gc=1",
			"goroutine.pb.gz":   "/debug/pprof/goroutine",
			"goroutine.txt":     "/debug/pprof/goroutine?debug=1",
			"heap-debug1.txt":   "/debug/pprof/heap?debug=1",
			"allocs-idle.pb.gz": "/debug/pprof/allocs",
		} {
			if err := saveProfile(ctx, o.pprofURL+path, o.profileDir, label+"-"+name); err != nil {
				logf("profile %s: %v", name, err)
			}
		}
		secs := int(math.Ceil((time.Duration(o.updates)*o.interval + 2*time.Second).Seconds()))
		cpuProfile.Go(func() {
			if err := saveProfile(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", o.pprofURL, secs), o.profileDir, label+"-cpu-updates.pb.gz"); err != nil {
				logf("CPU profile: %v", err)
			}
		})
		time.Sleep(200 * time.Millisecond) // let the CPU profile start
	}
	_ = cpuBefore

	// Updates, one at a time.
	if o.clientProfile != "" {
		f, err := os.Create(o.clientProfile)
		if err != nil {
			return false, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return false, err
		}
		defer f.Close()
	}
	updStart := time.Now()
	machine0 := machineBusy()
	clientCPU0 := selfCPU()
	var gwCPU0 int64
	if o.pid > 0 {
		gwCPU0 = cpuTicks(o.pid)
	}
	sent := make([]int64, o.updates)
	mutationRTT := make([]int64, o.updates)
	var incomplete []int
	for i := range o.updates {
		t0 := time.Now()
		sent[i] = t0.Sub(r.start).Nanoseconds()
		if err := gql.updateRate(ctx, o.pair, rateFor(i)); err != nil {
			return false, fmt.Errorf("update %d: %w", i+1, err)
		}
		mutationRTT[i] = time.Since(t0).Nanoseconds()
		select {
		case <-r.done[i]:
		case <-time.After(o.deliverTimeout):
			incomplete = append(incomplete, i)
			logf("update %d: %d of %d delivered within %v", i+1, r.delivered[i].Load(), o.n, o.deliverTimeout)
		case <-ctx.Done():
			return false, ctx.Err()
		}
		allIn := time.Since(t0)
		if (i+1)%5 == 0 || i == 0 || i == o.updates-1 {
			logf("update %d/%d: all %d delivered %v after the mutation was sent (mutation answered in %v)",
				i+1, o.updates, r.delivered[i].Load(), allIn.Round(time.Microsecond), time.Duration(mutationRTT[i]).Round(time.Microsecond))
		}
		if wait := o.interval - time.Since(t0); wait > 0 && i < o.updates-1 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
	}
	updWall := time.Since(updStart)
	if o.clientProfile != "" {
		pprof.StopCPUProfile()
	}
	clientCPU := selfCPU() - clientCPU0
	machineCPU := machineBusy() - machine0
	var gwCPU time.Duration
	if o.pid > 0 {
		gwCPU = time.Duration(cpuTicks(o.pid)-gwCPU0) * 10 * time.Millisecond
	}
	// Late messages and duplicates.
	time.Sleep(min(o.interval, time.Second))
	cpuProfile.Wait()

	// Latencies.
	lat := make([]int64, 0, o.n*o.updates)
	worstPerUpdate := make([]int64, o.updates)
	var missing, dups, wrong, other, subErrs int64
	var firstSubErr error
	for _, s := range subs {
		for i := range s.recv {
			t := atomic.LoadInt64(&s.recv[i])
			if t == 0 {
				missing++
				continue
			}
			d := t - sent[i]
			lat = append(lat, d)
			worstPerUpdate[i] = max(worstPerUpdate[i], d)
		}
		dups += int64(atomic.LoadInt32(&s.dups))
		wrong += int64(atomic.LoadInt32(&s.wrong))
		other += int64(atomic.LoadInt32(&s.other))
		if e := s.err.Load(); e != nil {
			subErrs++
			if firstSubErr == nil {
				firstSubErr = *e
			}
		}
	}
	// Per update: median and last delivery.
	var perUpdate strings.Builder
	{
		col := make([]int64, 0, len(subs))
		for i := range o.updates {
			col = col[:0]
			for _, s := range subs {
				if t := atomic.LoadInt64(&s.recv[i]); t != 0 {
					col = append(col, t-sent[i])
				}
			}
			slices.Sort(col)
			fmt.Fprintf(&perUpdate, " %s/%s", ms(percentile(col, 50)), ms(percentile(col, 100)))
		}
	}
	slices.Sort(lat)
	p50, p90, p99 := percentile(lat, 50), percentile(lat, 90), percentile(lat, 99)
	maxLat := percentile(lat, 100)
	slices.Sort(mutationRTT)
	expected := int64(o.n) * int64(o.updates)

	var b strings.Builder
	fmt.Fprintf(&b, "\n== subload %s: %d subscribers, %d updates of %s\n", label, o.n, o.updates, o.pair)
	fmt.Fprintf(&b, "machine:        %d CPUs, %s\n", runtime.NumCPU(), model)
	fmt.Fprintf(&b, "subscribers on: %s\nupdates via:    %s\n", o.wsURL, gql.url)
	fmt.Fprintf(&b, "ramp-up:        %v for %d connections (%d at a time)\n", rampTime.Round(time.Millisecond), o.n, o.batch)
	fmt.Fprintf(&b, "delivered:      %d of %d expected; missing %d, duplicates %d, wrong rate %d, unexpected %d, subscriber errors %d\n",
		len(lat), expected, missing, dups, wrong, other, subErrs)
	if firstSubErr != nil {
		fmt.Fprintf(&b, "first subscriber error: %v\n", firstSubErr)
	}
	fmt.Fprintf(&b, "latency:        p50 %s ms, p90 %s ms, p99 %s ms, max %s ms (mutation sent -> subscriber received)\n",
		ms(p50), ms(p90), ms(p99), ms(maxLat))
	fmt.Fprintf(&b, "per update, p50/last ms:%s\n", perUpdate.String())
	fmt.Fprintf(&b, "mutation RTT:   p50 %s ms, max %s ms\n", ms(percentile(mutationRTT, 50)), ms(percentile(mutationRTT, 100)))
	slices.Sort(worstPerUpdate)
	fmt.Fprintf(&b, "last delivery per update: p50 %s ms, max %s ms\n", ms(percentile(worstPerUpdate, 50)), ms(percentile(worstPerUpdate, 100)))
	fmt.Fprintf(&b, "CPU while updating: %v wall; gateway %v (%.0f µs per delivery), client %v (%.0f µs per delivery)\n",
		updWall.Round(time.Millisecond), gwCPU.Round(10*time.Millisecond), float64(gwCPU.Microseconds())/float64(max(1, len(lat))),
		clientCPU.Round(10*time.Millisecond), float64(clientCPU.Microseconds())/float64(max(1, len(lat))))
	if o.pid > 0 && machineCPU > 0 {
		// Other processes (other gateways, PostgreSQL, anything else on the
		// machine) share the CPUs: a large figure here makes the run noisy.
		fmt.Fprintf(&b, "CPU of the rest of the machine while updating (kernel network work, other processes): %v\n", max(0, machineCPU-gwCPU-clientCPU).Round(10*time.Millisecond))
	}
	perSub := int64(-1)
	if o.pid > 0 {
		perSub = (rssAfter - rssBefore) / int64(max(1, o.n))
		fmt.Fprintf(&b, "gateway RSS:    %.1f MiB before, %.1f MiB with %d idle subscriptions: %d bytes (%.1f KiB) per subscription; %d threads; idle CPU %.0f%% of a core\n",
			float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20), o.n, perSub, float64(perSub)/1024, gatewayThreads, idleCPU*100)
		if rtBefore.ok && rtAfter.ok && o.n > 0 {
			fmt.Fprintf(&b, "gateway Go runtime (after GC): goroutines %d -> %d (%.2f per subscription); heap in use %.1f -> %.1f MiB (%d B per subscription); stacks %.1f -> %.1f MiB (%d B per subscription); heap objects %d per subscription\n",
				rtBefore.goroutines, rtAfter.goroutines, float64(rtAfter.goroutines-rtBefore.goroutines)/float64(o.n),
				float64(rtBefore.heapInuse)/(1<<20), float64(rtAfter.heapInuse)/(1<<20), (rtAfter.heapInuse-rtBefore.heapInuse)/int64(o.n),
				float64(rtBefore.stackInuse)/(1<<20), float64(rtAfter.stackInuse)/(1<<20), (rtAfter.stackInuse-rtBefore.stackInuse)/int64(o.n),
				(rtAfter.heapObj-rtBefore.heapObj)/int64(o.n))
		}
	}
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	fmt.Fprintf(&b, "client:         %d goroutines, Go heap %.1f MiB, stacks %.1f MiB, GOMAXPROCS %d\n",
		runtime.NumGoroutine(), float64(ms0.HeapInuse)/(1<<20), float64(ms0.StackInuse)/(1<<20), runtime.GOMAXPROCS(0))
	ok := missing == 0 && dups == 0 && wrong == 0 && subErrs == 0 && len(incomplete) == 0
	fmt.Fprintf(&b, "result: label=%s mode=%s n=%d updates=%d delivered=%d expected=%d missing=%d duplicates=%d p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s rss_before_bytes=%d rss_after_bytes=%d bytes_per_sub=%d goroutines_per_sub=%s idle_cpu=%.2f gateway_cpu_per_delivery_us=%.0f client_cpu_per_delivery_us=%.0f other_cpu_s=%.2f ramp_s=%.1f mutation_p50_ms=%s mutation_max_ms=%s ok=%t\n",
		label, mode, o.n, o.updates, len(lat), expected, missing, dups, ms(p50), ms(p90), ms(p99), ms(maxLat),
		rssBefore, rssAfter, perSub, goroutinesPerSub(rtBefore, rtAfter, max(1, o.n)), idleCPU,
		float64(gwCPU.Microseconds())/float64(max(1, len(lat))), float64(clientCPU.Microseconds())/float64(max(1, len(lat))),
		max(0, machineCPU-gwCPU-clientCPU).Seconds(), rampTime.Seconds(),
		ms(percentile(mutationRTT, 50)), ms(percentile(mutationRTT, 100)), ok)
	fmt.Print(b.String())
	return ok, nil
}
