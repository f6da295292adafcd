// Package health answers the liveness (/healthz) and readiness (/readyz) probes of an evtrigger
// process.
package health

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/evtrigger/evtrigger/internal/httpjson"
)

// Paths of the probes.
const (
	LivePath  = "/healthz"
	ReadyPath = "/readyz"
)

// Check is one readiness condition: Func returns nil when Name (such as "temporal", "rules",
// "kafka") is ready.
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

// Response is the body of a readiness answer: "ready" or "not ready", and each check's "ok" or
// error message.
type Response struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// DefaultTimeout bounds each check of a readiness probe.
const DefaultTimeout = 2 * time.Second

// Ready answers a readiness probe: it runs every check at once, each bounded by timeout
// (DefaultTimeout when not positive), and answers 200 when all passed, else 503; the body is a
// Response either way.
func Ready(checks []Check, timeout time.Duration) http.Handler {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, ok := run(r.Context(), checks, timeout)
		code := http.StatusOK
		if !ok {
			code = http.StatusServiceUnavailable
		}
		httpjson.Write(w, code, resp)
	})
}

func run(ctx context.Context, checks []Check, timeout time.Duration) (Response, bool) {
	resp := Response{Status: "ready", Checks: make(map[string]string, len(checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	ok := true
	for _, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			err := c.Func(cctx)
			mu.Lock()
			defer mu.Unlock()
			resp.Checks[c.Name] = "ok"
			if err != nil {
				resp.Checks[c.Name], ok = err.Error(), false
			}
		})
	}
	wg.Wait()
	if !ok {
		resp.Status = "not ready"
	}
	return resp, ok
}

// Live answers a liveness probe: 200 {"status":"ok"} while the process serves HTTP.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// Mux serves the probes and, when metrics is not nil, metrics at metricsPath: what a process
// without the API (the worker) serves.
func Mux(checks []Check, metricsPath string, metrics http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET "+LivePath, Live())
	mux.Handle("GET "+ReadyPath, Ready(checks, 0))
	if metrics != nil {
		mux.Handle("GET "+metricsPath, metrics)
	}
	return mux
}
