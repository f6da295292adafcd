// Package deploy holds the deployment files (Prometheus alerts, Grafana dashboard, Kafka
// topics); its tests check them with the tools that read them.
package deploy

import (
	"os"
	"os/exec"
	"testing"
)

// tool returns the path of a command the tests need; `make test` installs them.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: `make test` installs it (apt-get install %s)", name, pkg)
	}
	return path
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// TestAlertRules: the rules load, and every alert's unit tests in alerts_test.yml pass.
func TestAlertRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	run(t, promtool, "check", "rules", "prometheus/alerts.yml")
	run(t, promtool, "test", "rules", "prometheus/alerts_test.yml")
}

// TestEveryAlertHasAUnitTest: each alert of alerts.yml is named by an alert_rule_test.
func TestEveryAlertHasAUnitTest(t *testing.T) {
	tested := map[string]bool{}
	for _, name := range yamlValues(t, "prometheus/alerts_test.yml", "alertname") {
		tested[name] = true
	}
	alerts := yamlValues(t, "prometheus/alerts.yml", "alert")
	if len(alerts) < 7 {
		t.Fatalf("alerts.yml has %d alerts, want at least 7", len(alerts))
	}
	for _, a := range alerts {
		if !tested[a] {
			t.Errorf("alert %s has no unit test in alerts_test.yml", a)
		}
	}
}

// TestPrometheusConfig: the compose stack's Prometheus configuration is valid and loads the
// alerts.
func TestPrometheusConfig(t *testing.T) {
	run(t, tool(t, "promtool", "prometheus"), "check", "config", "prometheus/prometheus.yml")
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
