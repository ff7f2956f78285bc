//go:build unix

// Package e2e runs the end-to-end tests written for Node (the *.test.mjs
// files here) against a freshly built gateway: real clients (graphql-ws,
// a legacy graphql-ws client, a browser) talking to a real process.
//
// Without node the test skips, unless CI=true or E2E_REQUIRED=1, which make
// a missing node a failure (scripts/ensure-node installs it).
package e2e

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// runTimeout bounds the build, npm ci and the node run together.
const runTimeout = 5 * time.Minute

func TestNode(t *testing.T) {
	node := lookTool(t, "node")

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	if d, ok := t.Deadline(); ok && time.Until(d) < runTimeout+30*time.Second {
		// Leave go test's own timeout room to report ours.
		ctx, cancel = context.WithDeadline(ctx, d.Add(-30*time.Second))
		defer cancel()
	}
	// An interrupted go test must not leave node and its gateways behind:
	// they run in a process group of their own, killed when ctx ends.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	files, err := filepath.Glob("*.test.mjs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.test.mjs files in e2e/ (%v)", err)
	}
	slices.Sort(files)

	bin := filepath.Join(t.TempDir(), "gateway")
	start := time.Now()
	run(ctx, t, exec.Command(lookTool(t, "go"), "build", "-o", bin, "github.com/fxgraph/gateway/cmd/gateway"), nil)
	t.Logf("built the gateway in %s", time.Since(start).Round(time.Millisecond))

	// npm ci writes node_modules/.package-lock.json once it has installed
	// everything: without it the dependencies are missing or half there.
	if _, err := os.Stat(filepath.Join("node_modules", ".package-lock.json")); errors.Is(err, os.ErrNotExist) {
		start = time.Now()
		run(ctx, t, exec.Command(lookTool(t, "npm"), "ci", "--no-audit", "--no-fund"), nil)
		t.Logf("npm ci in %s", time.Since(start).Round(time.Millisecond))
	} else if err != nil {
		t.Fatal(err)
	}

	start = time.Now()
	args := append([]string{"--test", "--test-reporter=spec"}, files...)
	run(ctx, t, exec.Command(node, args...), []string{"GATEWAY_BIN=" + bin, "NO_COLOR=1"})
	t.Logf("node --test %v passed in %s", files, time.Since(start).Round(time.Millisecond))
}

// required reports whether a missing tool fails the test rather than
// skipping it.
func required() bool {
	return regexp.MustCompile(`^(true|True|TRUE|1)$`).MatchString(os.Getenv("CI")) || os.Getenv("E2E_REQUIRED") == "1"
}

// lookTool finds a program on PATH; without it the test skips, or fails
// when required.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " not found on PATH: the end-to-end tests need Node.js and npm (run scripts/ensure-node, or install the Debian packages nodejs and npm)"
	if required() {
		t.Fatalf("%s; it is required because CI=true or E2E_REQUIRED=1", msg)
	}
	t.Skipf("%s; skipping (set CI=true or E2E_REQUIRED=1 to make this a failure)", msg)
	return ""
}

// run runs cmd in this directory, in a process group of its own that is
// killed when ctx ends, streaming its output into the test log line by
// line, and fails the test when it fails.
func run(ctx context.Context, t *testing.T, cmd *exec.Cmd, env []string) {
	t.Helper()
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// A leftover process holding the output must not hold Wait forever.
	cmd.WaitDelay = 10 * time.Second
	var lines sync.WaitGroup
	lines.Go(func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	})
	if err := cmd.Start(); err != nil {
		_ = pw.Close()
		lines.Wait()
		t.Fatalf("%s: %v", cmd, err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			// The whole group: node, its test processes, the gateways and
			// browsers they started.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		case <-done:
		}
	}()
	err := cmd.Wait()
	close(done)
	// Whatever the group left behind goes too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = pw.Close()
	lines.Wait()
	if ctx.Err() != nil {
		t.Fatalf("%s: killed (%v; the whole run is bounded to %s): %v", cmd, context.Cause(ctx), runTimeout, err)
	}
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
}
