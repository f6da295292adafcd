package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestTemporalHandlerExportsTheSDKsMetrics: counters, gauges and timers under their exported
// names, tags as labels, and one metric used with different tag sets still forms one valid
// family (missing labels are empty).
func TestTemporalHandlerExportsTheSDKsMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	h, err := NewTemporalHandler(reg)
	if err != nil {
		t.Fatal(err)
	}
	ns := h.WithTags(map[string]string{"namespace": "default"})
	ns.Counter("temporal_request").Inc(2)
	ns.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(3)
	ns.Counter("temporal_local_activity_total").Inc(1)
	ns.Gauge("temporal_num_pollers").Update(4)
	ns.Gauge("temporal_num_pollers").Update(5)
	ns.Timer("temporal_request_latency").Record(30 * time.Millisecond)
	ns.Timer("temporal_request").Record(time.Second) // a counter's name: dropped, no clash

	want := `# HELP temporal_local_activity_total Temporal SDK metric temporal_local_activity_total.
# TYPE temporal_local_activity_total counter
temporal_local_activity_total{namespace="default"} 1
# HELP temporal_num_pollers Temporal SDK metric temporal_num_pollers.
# TYPE temporal_num_pollers gauge
temporal_num_pollers{namespace="default"} 5
# HELP temporal_request_total Temporal SDK metric temporal_request_total.
# TYPE temporal_request_total counter
temporal_request_total{namespace="default",operation=""} 2
temporal_request_total{namespace="default",operation="StartWorkflowExecution"} 3
`
	if got := text(t, reg, "temporal_request_total", "temporal_num_pollers", "temporal_local_activity_total"); got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
	hist := text(t, reg, "temporal_request_latency_seconds")
	if !strings.Contains(hist, `temporal_request_latency_seconds_bucket{namespace="default",le="0.05"} 1`) ||
		!strings.Contains(hist, `temporal_request_latency_seconds_count{namespace="default"} 1`) {
		t.Errorf("timer exposition:\n%s", hist)
	}
}
