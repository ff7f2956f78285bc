package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/fxgraph/gateway/store/storetest"
)

// TestHealthcheckCommand: the container's HEALTHCHECK asks /readyz.
func TestHealthcheckCommand(t *testing.T) {
	base := hardenedGateway(t, storetest.SQLite, nil)
	addr := strings.TrimPrefix(base, "http://")
	t.Run("OK", func(t *testing.T) {
		if err := run(context.Background(), []string{"gateway", "healthcheck", "-addr", addr}, envOf(nil), os.Stdout, os.Stderr); err != nil {
			t.Errorf("healthcheck of a ready gateway: %v", err)
		}
	})
	t.Run("ErrDown", func(t *testing.T) {
		if err := run(context.Background(), []string{"gateway", "healthcheck"}, envOf(map[string]string{"ADDR": freeAddr(t)}), os.Stdout, os.Stderr); err == nil {
			t.Error("healthcheck of nothing listening: no error")
		}
	})
}

// configured returns the environment variables the configuration section
// of docs/operations.md names.
func configured(t *testing.T) map[string]bool {
	t.Helper()
	readme, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "## Configuration")
	if start < 0 {
		t.Fatal("docs/operations.md has no Configuration section")
	}
	if end := strings.Index(section[start+1:], "\n## "); end >= 0 {
		section = section[start : start+1+end]
	} else {
		section = section[start:]
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile("`([A-Z][A-Z0-9_]{2,})`").FindAllStringSubmatch(section, -1) {
		out[m[1]] = true
	}
	return out
}

// TestDeployFiles: the compose and Kubernetes examples are valid YAML, and
// every environment variable they and the Dockerfile give the gateway is
// one the configuration documents.
func TestDeployFiles(t *testing.T) {
	known := configured(t)
	if !known["DATABASE_URL"] || !known["ADMIN_PASSWORD"] {
		t.Fatalf("the configuration section names %d variables, not DATABASE_URL and ADMIN_PASSWORD", len(known))
	}
	check := func(file, name string) {
		if !known[name] {
			t.Errorf("%s sets %s, which the configuration (docs/operations.md) does not name", file, name)
		}
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Image       string            `yaml:"image"`
		} `yaml:"services"`
	}
	raw, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	gateways := 0
	for name, svc := range compose.Services {
		if !strings.HasPrefix(name, "gateway") {
			continue
		}
		gateways++
		for k := range svc.Environment {
			check("deploy/compose.yaml", k)
		}
	}
	if gateways < 2 {
		t.Errorf("compose has %d gateway services, want two behind the balancer", gateways)
	}
	raw, err = os.ReadFile("../../deploy/kubernetes/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, doc := range strings.Split(string(raw), "\n---\n") {
		var k8s struct {
			Kind string `yaml:"kind"`
			Spec struct {
				Template struct {
					Spec struct {
						Grace      int `yaml:"terminationGracePeriodSeconds"`
						Containers []struct {
							Env []struct {
								Name  string `yaml:"name"`
								Value string `yaml:"value"`
							} `yaml:"env"`
							Readiness *struct{} `yaml:"readinessProbe"`
							Liveness  *struct{} `yaml:"livenessProbe"`
						} `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := yaml.Unmarshal([]byte(doc), &k8s); err != nil {
			t.Fatalf("deploy/kubernetes/gateway.yaml document %d: %v", i, err)
		}
		if k8s.Kind != "Deployment" {
			continue
		}
		pod := k8s.Spec.Template.Spec
		for _, c := range pod.Containers {
			shutdown := 10 * time.Second
			for _, e := range c.Env {
				check("deploy/kubernetes/gateway.yaml", e.Name)
				if e.Name == "SHUTDOWN_TIMEOUT" {
					shutdown, _ = time.ParseDuration(e.Value)
				}
			}
			if c.Readiness == nil || c.Liveness == nil {
				t.Error("the Deployment's container lacks a readiness or liveness probe")
			}
			if time.Duration(pod.Grace)*time.Second <= shutdown {
				t.Errorf("terminationGracePeriodSeconds %d is not above SHUTDOWN_TIMEOUT %v", pod.Grace, shutdown)
			}
		}
	}
	raw, err = os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^ENV (.*)$`).FindAllStringSubmatch(string(raw), -1) {
		for _, kv := range strings.Fields(m[1]) {
			check("Dockerfile", strings.SplitN(kv, "=", 2)[0])
		}
	}
}

// TestRunsUnprivileged runs the built binary as an unprivileged user,
// with only its data directory writable, as the container does.
func TestRunsUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run as another user")
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // the test's temp dirs are root's alone
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "gateway")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	const nobody = 65534
	if err := os.Chown(data, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "-addr", addr, "-data-dir", data)
	cmd.Dir = "/"
	cmd.Env = []string{"BCRYPT_COST=4", "LOG_LEVEL=warn"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gateway run as nobody did not become ready: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the gateway run as nobody exited with %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "gateway.db")); err != nil {
		t.Errorf("no database in the data directory: %v", err)
	}
}
