package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestWorkerServesMetricsAndProbes runs `evtrigger worker` against a dev server: its
// --metrics-addr answers /healthz, /readyz (Temporal and rules ok) and /metrics (the SDK's
// metrics among them), and Ctrl-C stops it cleanly.
func TestWorkerServesMetricsAndProbes(t *testing.T) {
	srv, err := testenv.StartTemporal(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	port, err := devserver.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"worker", "--temporal-address", srv.Address(), "--rules", "../../rules/examples",
			"--task-queue", "worker-metrics-test", "--metrics-addr", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "warn"}, io.Discard)
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	testenv.Eventually(t, 30*time.Second, "the worker's /readyz answers 200", func() bool {
		code, _ := get("/readyz")
		return code == http.StatusOK
	})
	if code, body := get("/readyz"); !strings.Contains(body, `"temporal":"ok"`) || !strings.Contains(body, `"rules":"ok"`) {
		t.Errorf("/readyz = %d %s", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
	testenv.Eventually(t, 10*time.Second, "the worker's /metrics shows the SDK's worker start", func() bool {
		code, body := get("/metrics")
		return code == http.StatusOK && strings.Contains(body, "temporal_worker_start_total{") &&
			strings.Contains(body, "go_goroutines")
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop within 30s of Ctrl-C")
	}
}
