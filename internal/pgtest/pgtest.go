// Package pgtest runs a throwaway PostgreSQL server for tests.
//
// Start launches a private cluster (initdb + postgres) in a temporary
// directory, listening on 127.0.0.1 on a free port, tuned for speed rather
// than durability. When TEST_DATABASE_URL is set, that server is used
// instead and no process is started. Each test then gets its own empty
// database from NewDatabase.
//
// The server binaries are looked up under /usr/lib/postgresql/*/bin
// (highest version first) and then on PATH. When the test binary runs as
// root, initdb and postgres run as the "postgres" system user, since
// PostgreSQL refuses to run as root.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable that points the tests at an
// existing server instead of starting one.
const EnvURL = "TEST_DATABASE_URL"

const (
	superuser    = "postgres"
	dbPrefix     = "pgtest_"
	startTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
	logTailBytes = 4096
)

// Cluster is a PostgreSQL server for tests.
type Cluster struct {
	admin    *url.URL // connection URL for administrative statements
	external bool     // TEST_DATABASE_URL: no process of our own

	dir      string // temp dir: data/, unix socket, postgres.log
	logPath  string
	postgres string              // the server binary, for Up
	data     string              // the data directory, for Up
	cred     *syscall.Credential // the server's user, for Up
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the postgres process has exited

	mu       sync.Mutex
	dbs      map[string]bool // databases created by NewDatabase and not yet dropped
	stopped  bool
	stopErr  error
	stopOnce sync.Once
}

var dbSeq atomic.Uint64

// Required reports whether the PostgreSQL suite must run: true when CI is
// true or PGTEST_REQUIRED is 1. Callers fail instead of skipping when
// Required reports true and Start fails.
func Required(getenv func(string) string) bool {
	for _, k := range []string{"CI", "PGTEST_REQUIRED"} {
		if v, err := strconv.ParseBool(strings.TrimSpace(getenv(k))); err == nil && v {
			return true
		}
	}
	return false
}

// Start starts a cluster. When TEST_DATABASE_URL is set it uses that server
// and starts no process. Otherwise it runs initdb in a new temporary
// directory and starts postgres on 127.0.0.1 on a free port, returning once
// the server accepts connections (or after about 30 seconds, with an error
// that includes the tail of the server log).
func Start(ctx context.Context) (*Cluster, error) {
	if raw := os.Getenv(EnvURL); raw != "" {
		return startExternal(ctx, raw)
	}
	return startLocal(ctx)
}

func startExternal(ctx context.Context, raw string) (*Cluster, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, fmt.Errorf("pgtest: %s must be a URL of the form postgres://user:password@host:port/dbname", EnvURL)
	}
	c := &Cluster{admin: u, external: true, dbs: map[string]bool{}}
	if err := c.ping(ctx); err != nil {
		return nil, fmt.Errorf("pgtest: %s: %w", EnvURL, err)
	}
	return c, nil
}

func startLocal(ctx context.Context) (_ *Cluster, err error) {
	initdb, postgres, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}

	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgtest: chown %s to %s: %w", dir, superuser, err)
		}
	}

	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, initdb,
		"--pgdata="+data,
		"--username="+superuser,
		"--auth=trust",
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	cmd.Dir = dir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb (%s): %w\n%s", initdb, err, tail(out.Bytes()))
	}

	// The free port is found by binding and releasing it, so another process
	// may take it before postgres binds it: retry a few times on that.
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		c, err := launch(ctx, postgres, dir, data, port, cred)
		if err == nil {
			return c, nil
		}
		if attempt == 3 || !errors.Is(err, errBind) {
			return nil, err
		}
	}
}

var errBind = errors.New("could not bind port")

// launch starts postgres on port and waits until it accepts connections.
func launch(ctx context.Context, postgres, dir, data string, port int, cred *syscall.Credential) (*Cluster, error) {
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor

	cmd := exec.Command(postgres,
		"-D", data,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "fsync=off",
		"-c", "full_page_writes=off",
		"-c", "synchronous_commit=off",
		"-c", "max_connections=200",
	)
	cmd.Dir = dir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// If the test binary dies without calling Stop, the kernel sends
		// SIGTERM to postgres, which then shuts down on its own.
		Pdeathsig: syscall.SIGTERM,
	}

	c := &Cluster{
		admin: &url.URL{
			Scheme:   "postgres",
			User:     url.User(superuser),
			Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			Path:     "/postgres",
			RawQuery: "sslmode=disable",
		},
		dir:      dir,
		logPath:  logPath,
		postgres: postgres,
		data:     data,
		cred:     cred,
		cmd:      cmd,
		exited:   make(chan struct{}),
		dbs:      map[string]bool{},
	}

	// Pdeathsig fires when the thread that started the child exits, not the
	// process. Start postgres from a goroutine locked to its own thread that
	// stays blocked in Wait for as long as postgres runs: the thread then
	// lives exactly as long as the server (or the test binary).
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgtest: start %s: %w", postgres, err)
	}

	if err := c.waitReady(ctx); err != nil {
		c.kill()
		log := c.logTail()
		if bytes.Contains(log, []byte("could not bind")) || bytes.Contains(log, []byte("already in use")) {
			err = fmt.Errorf("%w: %w", errBind, err)
		}
		return nil, fmt.Errorf("pgtest: postgres did not start: %w\n--- server log (tail) ---\n%s", err, log)
	}
	return c, nil
}

// waitReady polls until the server accepts connections, the process exits,
// ctx ends or startTimeout passes.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		last = c.ping(pctx)
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited: %v", c.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		case <-tick.C:
		}
	}
}

func (c *Cluster) ping(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.admin.String())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

// NewDatabase creates a fresh empty database with a unique name and returns
// a DSN for it, usable by pgx and its database/sql driver
// ("postgres://user@127.0.0.1:port/dbname?sslmode=disable").
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	c.mu.Lock()
	stopped := c.stopped
	c.mu.Unlock()
	if stopped {
		return "", errors.New("pgtest: NewDatabase on a stopped cluster")
	}

	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	name := fmt.Sprintf("%s%d_%d_%s", dbPrefix, os.Getpid(), dbSeq.Add(1), hex.EncodeToString(rnd[:]))

	// template0 is always pristine and accepts no connections, so concurrent
	// CREATE DATABASE statements never conflict on it.
	if err := c.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	c.mu.Lock()
	c.dbs[name] = true
	c.mu.Unlock()

	u := *c.admin
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// DropDatabase drops a database created by NewDatabase, terminating its
// connections first. It refuses DSNs of databases it did not create.
func (c *Cluster) DropDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("pgtest: drop database: bad DSN: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	c.mu.Lock()
	ours := c.dbs[name]
	c.mu.Unlock()
	if !ours {
		return fmt.Errorf("pgtest: drop database %q: not created by this cluster", name)
	}
	if err := c.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("pgtest: drop database %s: %w", name, err)
	}
	c.mu.Lock()
	delete(c.dbs, name)
	c.mu.Unlock()
	return nil
}

func (c *Cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.admin.String())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// Down stops the server (fast shutdown) and keeps its data, as an outage
// would; Up starts it again. Not for TEST_DATABASE_URL.
func (c *Cluster) Down() error {
	if c.external {
		return errors.New("pgtest: Down needs a cluster of our own, not TEST_DATABASE_URL")
	}
	return c.shutdown()
}

// Up starts the server stopped by Down again, on the same port and data.
func (c *Cluster) Up(ctx context.Context) error {
	if c.external {
		return errors.New("pgtest: Up needs a cluster of our own, not TEST_DATABASE_URL")
	}
	port, err := strconv.Atoi(c.admin.Port())
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	nc, err := launch(ctx, c.postgres, c.dir, c.data, port, c.cred)
	if err != nil {
		return err
	}
	c.cmd, c.exited = nc.cmd, nc.exited
	return nil
}

// Stop stops the server (fast shutdown) and removes its temporary
// directory. It is a no-op for TEST_DATABASE_URL and safe to call twice.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopped = true
		c.mu.Unlock()
		if c.external {
			return
		}
		c.stopErr = c.shutdown()
		if err := os.RemoveAll(c.dir); err != nil && c.stopErr == nil {
			c.stopErr = fmt.Errorf("pgtest: %w", err)
		}
	})
	return c.stopErr
}

// shutdown asks for a fast shutdown (SIGINT), then an immediate one
// (SIGQUIT), then kills the postmaster.
func (c *Cluster) shutdown() error {
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGQUIT} {
		if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("pgtest: signal postgres: %w", err)
		}
		select {
		case <-c.exited:
			return nil
		case <-time.After(stopTimeout):
		}
	}
	c.kill()
	return fmt.Errorf("pgtest: postgres did not shut down within %v; killed\n%s", 2*stopTimeout, c.logTail())
}

// kill ends the process at once (immediate shutdown, then SIGKILL) and
// waits for it to exit.
func (c *Cluster) kill() {
	c.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-c.exited:
		return
	case <-time.After(5 * time.Second):
	}
	c.cmd.Process.Kill()
	<-c.exited
}

func (c *Cluster) logTail() []byte {
	f, err := os.Open(c.logPath)
	if err != nil {
		return []byte(err.Error())
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > logTailBytes {
		f.Seek(-logTailBytes, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return tail(b)
}

func tail(b []byte) []byte {
	if len(b) > logTailBytes {
		b = b[len(b)-logTailBytes:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return bytes.TrimSpace(b)
}

// findBinaries returns the paths of initdb and postgres, preferring the
// highest version under /usr/lib/postgresql/*/bin, then PATH.
func findBinaries() (initdb, postgres string, err error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { // highest version first
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "postgres")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}

	initdb, err = exec.LookPath("initdb")
	if err != nil {
		return "", "", errors.New("pgtest: initdb not found; install PostgreSQL 15 or set " + EnvURL)
	}
	// postgres next to initdb (following a symlink such as
	// /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb), else PATH.
	cands := []string{filepath.Join(filepath.Dir(initdb), "postgres")}
	if real, err := filepath.EvalSymlinks(initdb); err == nil {
		cands = append([]string{filepath.Join(filepath.Dir(real), "postgres")}, cands...)
	}
	for _, p := range cands {
		if isExecutable(p) {
			return initdb, p, nil
		}
	}
	if postgres, err = exec.LookPath("postgres"); err == nil {
		return initdb, postgres, nil
	}
	return "", "", errors.New("pgtest: postgres server binary not found next to " + initdb + "; install PostgreSQL 15 or set " + EnvURL)
}

// compareVersions compares dotted numeric versions such as "15" or "9.6".
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return strings.Compare(a, b)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// credential returns the credential of the postgres system user when
// running as root (PostgreSQL refuses to run as root), or nil otherwise.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root needs the %q system user (installed with PostgreSQL): %w", superuser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgtest: user %q has a non-numeric uid/gid %s/%s", superuser, u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// serverEnv is the environment for initdb and postgres: the current one
// without PG* variables (which would override the explicit settings) and
// with a neutral locale.
func serverEnv() []string {
	env := []string{"LC_ALL=C"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
