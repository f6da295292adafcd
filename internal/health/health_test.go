package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestReadyAnswers503NamingTheFailingCheck(t *testing.T) {
	checks := []Check{
		{Name: "temporal", Func: func(context.Context) error { return nil }},
		{Name: "kafka", Func: func(context.Context) error { return errors.New("no broker answers") }},
		{Name: "slow", Func: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }},
	}
	rec := httptest.NewRecorder()
	Ready(checks, 50*time.Millisecond).ServeHTTP(rec, httptest.NewRequest("GET", ReadyPath, nil))
	var resp Response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusServiceUnavailable || resp.Status != "not ready" || resp.Checks["temporal"] != "ok" ||
		resp.Checks["kafka"] != "no broker answers" || resp.Checks["slow"] != context.DeadlineExceeded.Error() {
		t.Fatalf("%d %+v", rec.Code, resp)
	}
}

func TestMuxServesProbesAndMetrics(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("m 1\n")) })
	srv := httptest.NewServer(Mux([]Check{{Name: "rules", Func: func(context.Context) error { return nil }}}, "/metrics", metrics))
	defer srv.Close()
	for path, want := range map[string]int{LivePath: 200, ReadyPath: 200, "/metrics": 200, "/other": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}
