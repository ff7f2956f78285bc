package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSubcommandHelp: each subcommand's -h lists its own flags, each with
// its kind, and no other command's.
func TestSubcommandHelp(t *testing.T) {
	for _, c := range []struct {
		cmd        string
		want, deny []string
	}{
		{"serve", []string{"-addr text", "-max-depth int", "-request-timeout duration", "-introspection", "-admin-username"}, nil},
		{"migrate", []string{"-database-url text", "-log-level level"}, []string{"-addr", "-admin-username", "-max-depth", "-bcrypt-cost"}},
		{"createadmin", []string{"-admin-username text", "-bcrypt-cost int"}, []string{"-addr", "-max-depth", "-ws-origins"}},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), []string{"gateway", c.cmd, "-h"}, envOf(nil), &stdout, &stderr); err != nil {
				t.Fatalf("%s -h: %v", c.cmd, err)
			}
			help := stderr.String()
			for _, w := range c.want {
				if !strings.Contains(help, w) {
					t.Errorf("%s -h lacks %q:\n%s", c.cmd, w, help)
				}
			}
			for _, d := range c.deny {
				if strings.Contains(help, d+" ") {
					t.Errorf("%s -h lists %q, a flag of another command", c.cmd, d)
				}
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"gateway", "version"}, envOf(nil), &stdout, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stdout.String(), "gateway ") || !strings.Contains(stdout.String(), "go1.") {
			t.Errorf("version printed %q, want the module version and Go's", stdout.String())
		}
	})
	t.Run("Revision", func(t *testing.T) {
		info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"},
			{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-02T06:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
		got := versionText(info, true, "2026-12-02T07:00:00Z")
		want := "gateway v1.2.3 (go1.26.8, linux/amd64)\nrevision abc123, committed 2026-12-02T06:00:00Z, with local changes\nbuilt 2026-12-02T07:00:00Z\n"
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

// TestMakeRunQuitsQuietly: Ctrl-C on `make run` (SIGINT to its process
// group) shuts the gateway down gracefully, and make reports no error (it
// ends by the signal, as a terminal's Ctrl-C ends it, but prints nothing).
func TestMakeRunQuitsQuietly(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	addr := freeAddr(t)
	cmd := exec.Command("make", "--no-print-directory", "run")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "ADDR="+addr, "DATA_DIR="+t.TempDir(), "BCRYPT_COST=4", "LOG_LEVEL=info")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()
	deadline := time.Now().Add(2 * time.Minute) // make run builds first
	for {
		if status, err := tryGet("http://" + addr + "/healthz"); err == nil && status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("make run did not serve:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT) {
		t.Errorf("make run after Ctrl-C: %v, want a clean exit or the interrupt\n%s", err, out)
	}
	s := out.String()
	if strings.Contains(s, "Error") || strings.Contains(s, "Interrupt") || strings.Contains(s, "*** ") {
		t.Errorf("make run reported on Ctrl-C:\n%s", s)
	}
	if !strings.Contains(s, "msg=stopped") {
		t.Errorf("the gateway did not shut down gracefully:\n%s", s)
	}
}
