package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
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
		got := versionText(info, true)
		want := "gateway v1.2.3 (go1.26.8, linux/amd64)\nrevision abc123, committed 2026-12-02T06:00:00Z, with local changes\n"
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
