package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// userPages are the README and the pages it links to, in reading order.
var userPages = []string{"README.md", "docs/graph.md", "docs/identity.md", "docs/rest.md", "docs/live-rates.md", "docs/operations.md", "docs/security.md"}

// TestREADMEExamples runs the curl examples of the README and its pages,
// in reading order, as a new user would after `make run` (the embedded
// default, its demo ADMIN): each must succeed, and none may answer an
// error.
func TestREADMEExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is not installed, and CI runs every test")
		}
		t.Skip("curl is not installed")
	}
	var blocks []string
	for _, page := range userPages {
		text, err := os.ReadFile(filepath.Join("../..", page))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(text), -1) {
			if strings.Contains(m[1], "curl ") {
				blocks = append(blocks, m[1])
			}
		}
	}
	if len(blocks) < 3 {
		t.Fatalf("found %d curl examples in the README, want the set-up, graph and REST ones", len(blocks))
	}
	dir := t.TempDir()
	base, _, _ := startGateway(t, nil, map[string]string{"DATA_DIR": filepath.Join(dir, "data"), "BCRYPT_COST": "4"})
	script := strings.ReplaceAll(strings.Join(blocks, "\n"), "localhost:8080", strings.TrimPrefix(base, "http://"))
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir // data/admin-password.txt is where make run puts it
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's examples failed: %v\n%s", err, out)
	}
	for _, bad := range []string{`"errors"`, "Not authenticated", "Could not validate", "Internal"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("the README's examples answered %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(string(out), "convertedAmount") {
		t.Errorf("no conversion in the examples' output:\n%s", out)
	}
}
