package pgtest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// helperEnv makes the test binary act as a process that starts a cluster,
// prints the server's pid and temp dir, and then blocks until killed.
const helperEnv = "PGTEST_ORPHAN_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		c, err := Start(context.Background())
		if err != nil {
			fmt.Printf("ERR %v\n", strings.ReplaceAll(err.Error(), "\n", " | "))
			os.Exit(1)
		}
		fmt.Printf("PID %d %s\n", c.cmd.Process.Pid, c.dir)
		select {}
	}
	os.Exit(m.Run())
}

func TestRequired(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"Unset", nil, false},
		{"CITrue", map[string]string{"CI": "true"}, true},
		{"CIFalse", map[string]string{"CI": "false"}, false},
		{"PGTESTRequired", map[string]string{"PGTEST_REQUIRED": "1"}, true},
		{"PGTESTRequiredZero", map[string]string{"PGTEST_REQUIRED": "0"}, false},
		{"Garbage", map[string]string{"CI": "maybe"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			if got := Required(getenv); got != tc.want {
				t.Errorf("Required(%v): got %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int // sign
	}{
		{"15", "9.6", 1},
		{"9.6", "15", -1},
		{"16", "15", 1},
		{"15", "15", 0},
	}
	for _, tc := range cases {
		got := compareVersions(tc.a, tc.b)
		if sign(got) != tc.want {
			t.Errorf("compareVersions(%q, %q): got %v, want sign %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}

func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	start := time.Now()
	c, err := Start(ctx)
	if err != nil {
		if Required(os.Getenv) {
			t.Fatalf("Start: %v", err)
		}
		t.Skipf("PostgreSQL unavailable (set CI=true or PGTEST_REQUIRED=1 to fail instead): %v", err)
	}
	t.Logf("cluster started in %v (external=%v)", time.Since(start).Round(time.Millisecond), c.external)
	stopped := false
	defer func() {
		if !stopped {
			c.Stop()
		}
	}()

	var dsns [2]string
	t.Run("OK", func(t *testing.T) {
		for i := range dsns {
			dsn, err := c.NewDatabase(ctx)
			if err != nil {
				t.Fatalf("NewDatabase: %v", err)
			}
			dsns[i] = dsn
		}
		if dsns[0] == dsns[1] {
			t.Fatalf("NewDatabase twice: got %v both times, want distinct DSNs", dsns[0])
		}

		for i, dsn := range dsns {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatalf("sql.Open(%q): %v", dsn, err)
			}
			defer db.Close()

			var n int
			if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'").Scan(&n); err != nil {
				t.Fatalf("count tables in %s: %v", dsn, err)
			}
			if n != 0 {
				t.Errorf("tables in fresh database %d: got %v, want %v", i, n, 0)
			}
			if _, err := db.ExecContext(ctx, "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)"); err != nil {
				t.Fatalf("CREATE TABLE in %s: %v", dsn, err)
			}
			// Each database gets a different row, so a shared database would show.
			if _, err := db.ExecContext(ctx, "INSERT INTO t (id, v) VALUES ($1, $2)", i, dsn); err != nil {
				t.Fatalf("INSERT in %s: %v", dsn, err)
			}
		}

		for i, dsn := range dsns {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatalf("sql.Open(%q): %v", dsn, err)
			}
			defer db.Close()
			var id int
			var v string
			if err := db.QueryRowContext(ctx, "SELECT id, v FROM t").Scan(&id, &v); err != nil {
				t.Fatalf("SELECT in %s: %v", dsn, err)
			}
			if id != i || v != dsn {
				t.Errorf("row in database %d: got (%v, %v), want (%v, %v)", i, id, v, i, dsn)
			}
		}
	})

	t.Run("DropWithOpenConnection", func(t *testing.T) {
		// A connection left open must not block the drop (WITH (FORCE)).
		db, err := sql.Open("pgx", dsns[0])
		if err != nil {
			t.Fatalf("sql.Open: %v", err)
		}
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		for _, dsn := range dsns {
			if err := c.DropDatabase(ctx, dsn); err != nil {
				t.Fatalf("DropDatabase(%q): %v", dsn, err)
			}
		}
		for _, dsn := range dsns {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatalf("sql.Open(%q): %v", dsn, err)
			}
			err = db.PingContext(ctx)
			db.Close()
			if err == nil {
				t.Errorf("Ping dropped database %s: got %v, want an error", dsn, err)
			}
		}
	})

	t.Run("DropForeign", func(t *testing.T) {
		err := c.DropDatabase(ctx, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable")
		if err == nil {
			t.Errorf("DropDatabase(postgres): got %v, want an error", err)
		}
	})

	t.Run("Stop", func(t *testing.T) {
		var pid int
		if !c.external {
			pid = c.cmd.Process.Pid
		}
		stopped = true
		if err := c.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if err := c.Stop(); err != nil {
			t.Errorf("second Stop: got %v, want %v", err, nil)
		}
		if c.external {
			return
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("signal 0 to postgres pid %d after Stop: got %v, want %v", pid, err, syscall.ESRCH)
		}
		if _, err := os.Stat(c.dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stat %s after Stop: got %v, want %v", c.dir, err, os.ErrNotExist)
		}
		if _, err := c.NewDatabase(ctx); err == nil {
			t.Errorf("NewDatabase after Stop: got %v, want an error", err)
		}
	})
}

// TestOrphan kills a process that started a cluster without letting it call
// Stop, and checks that postgres goes away on its own (Pdeathsig).
func TestOrphan(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skipf("%s is set: no server process to orphan", EnvURL)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("StdoutPipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read helper output: got %v, want a line", err)
	}
	f := strings.Fields(line)
	if len(f) >= 1 && f[0] == "ERR" {
		if Required(os.Getenv) {
			t.Fatalf("helper Start: %s", line)
		}
		t.Skipf("PostgreSQL unavailable: %s", line)
	}
	if len(f) != 3 || f[0] != "PID" {
		t.Fatalf("helper output: got %q, want \"PID <pid> <dir>\"", line)
	}
	pid, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("helper pid %q: %v", f[1], err)
	}
	dir := f[2]
	defer os.RemoveAll(dir) // the killed helper cannot clean up

	if !alive(pid) {
		t.Fatalf("postgres pid %d alive before the kill: got %v, want %v", pid, false, true)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill helper: %v", err)
	}
	cmd.Wait()

	deadline := time.Now().Add(20 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGQUIT)
		t.Fatalf("postgres pid %d alive 20s after its parent was killed: got %v, want %v", pid, true, false)
	}
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// Format: pid (comm) state ...
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
