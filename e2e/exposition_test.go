package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"go.yaml.in/yaml/v3"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// metricName finds the metric names in a PromQL expression: all of evtrigger's and the SDK's
// start with these prefixes.
var metricName = regexp.MustCompile(`\b(?:evtrigger|temporal)_[a-zA-Z0-9_]+`)

// TestExpositionCoversDashboardAndAlerts runs HTTP and Kafka events (a task retried, a dead
// letter) into one process's registry, then checks the live scrape with `promtool check
// metrics` and that every metric the dashboard and the alerts name exists in it.
func TestExpositionCoversDashboardAndAlerts(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: `make test` installs it (apt-get install prometheus)")
	}
	c := kafkatest.NewCluster(t, 1, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, metricsRules(t, sk.srv.URL), testenv.Options{})
	runKafkaSource(t, c, st, "exposition", func(h ingress.Handler) ingress.Handler { return h })
	c.Produce(t, "orders", []byte("x-1"), []byte(recentOrder("x-1", 9000)), nil)
	c.Produce(t, "orders", []byte("junk"), []byte("not json"), nil)
	if code, out := st.PostEvent(t, recentOrder("x-2", 2000)); code != 202 {
		t.Fatalf("post: %d %v", code, out)
	}
	url := st.API.URL + "/metrics"
	testenv.Eventually(t, 60*time.Second, "both workflows closed and counted", func() bool {
		e := scrape(t, url)
		return e.value("temporal_workflow_completed_total", nil)+e.value("temporal_workflow_failed_total", nil) == 2 &&
			e.value("evtrigger_messages_processed_total", labels{"outcome": "dead_lettered"}) == 1 &&
			len(e.series("evtrigger_queue_backlog", labels{"queue": "orders"})) == 1
	})
	e := scrape(t, url)

	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(string(e.raw))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	exprs := dashboardExprs(t)
	exprs = append(exprs, alertExprs(t)...)
	for _, expr := range exprs {
		names := metricName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("no metric in %q", expr)
		}
		for _, n := range names {
			if !e.has(n) {
				t.Errorf("%s (in %q) is not in the exposition", n, expr)
			}
		}
	}
}

// has reports whether the exposition holds the metric name, a histogram's _bucket, _count
// and _sum series included.
func (e exposition) has(name string) bool {
	if _, ok := e.families[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		if f, ok := e.families[strings.TrimSuffix(name, suffix)]; ok && strings.HasSuffix(name, suffix) && f.GetType() == dto.MetricType_HISTOGRAM {
			return true
		}
	}
	return false
}

func dashboardExprs(t *testing.T) []string {
	t.Helper()
	var d struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	data, err := os.ReadFile("../deploy/grafana/dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	return out
}

// alertExprs returns the expr of every rule in deploy/prometheus/alerts.yml.
func alertExprs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Expr string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			out = append(out, r.Expr)
		}
	}
	return out
}
