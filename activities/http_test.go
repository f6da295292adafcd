package activities

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/task"
)

func httpRequest(method, url string) task.Request {
	return task.Request{
		EventID:  "evt-1",
		RuleID:   "rule-1",
		TaskName: "webhook",
		Spec:     task.Spec{Type: task.TypeHTTP, HTTP: &task.HTTP{Method: method, URL: url}},
	}
}

// newServer starts an httptest server that the test closes.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// seen is what a test server received.
type seen struct {
	method, path, body string
	header             http.Header
}

func TestRunHTTPSendsRequest(t *testing.T) {
	got := make(chan seen, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{method: r.Method, path: r.URL.RequestURI(), body: string(body), header: r.Header}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "created")
	})
	a := newActivities(t, Options{})
	req := httpRequest("put", srv.URL+"/orders/42?x=1")
	req.Spec.HTTP.Headers = map[string]string{"X-Custom": "custom value", "authorization": "Bearer t"}
	req.Spec.HTTP.Body = `{"order":42}`

	res, err := execute(t, a, a.RunHTTP, req)
	if err != nil {
		t.Fatalf("RunHTTP: %v", err)
	}
	if res.StatusCode != http.StatusCreated || res.Output != "created" || res.Attempt != 1 {
		t.Errorf("result = %+v, want 201 with output %q", res, "created")
	}
	s := <-got
	if s.method != http.MethodPut || s.path != "/orders/42?x=1" || s.body != `{"order":42}` {
		t.Errorf("server saw %s %s body %q", s.method, s.path, s.body)
	}
	for key, want := range map[string]string{
		"Idempotency-Key":     "evt-1/rule-1",
		"User-Agent":          "evtrigger",
		"X-Evtrigger-Attempt": "1",
		"Content-Type":        "application/json",
		"X-Custom":            "custom value",
		"Authorization":       "Bearer t",
	} {
		if v := s.header.Get(key); v != want {
			t.Errorf("header %s = %q, want %q", key, v, want)
		}
	}
	if s.header.Get("X-Evtrigger-Run-Id") == "" {
		t.Error("no X-Evtrigger-Run-Id header: the sink cannot tell which workflow run called")
	}
}

func TestRunHTTPKeepsRuleHeadersAndDefaultsToPost(t *testing.T) {
	got := make(chan seen, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- seen{method: r.Method, header: r.Header}
	})
	a := newActivities(t, Options{})
	req := httpRequest("", srv.URL)
	req.Spec.HTTP.Headers = map[string]string{"idempotency-key": "rule-key", "User-Agent": "custom"}

	if _, err := execute(t, a, a.RunHTTP, req); err != nil {
		t.Fatalf("RunHTTP: %v", err)
	}
	s := <-got
	if s.method != http.MethodPost || s.header.Get("Idempotency-Key") != "rule-key" ||
		s.header.Get("User-Agent") != "custom" || s.header.Get("Content-Type") != "" {
		t.Errorf("server saw %s with headers %v", s.method, s.header)
	}
}

func TestRunHTTPStatusClassification(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		retryable  bool
		delay      time.Duration
	}{
		{status: 500, retryable: true},
		{status: 502, retryable: true},
		{status: 503, retryAfter: "100000", retryable: true, delay: maxRetryAfter},
		{status: 408, retryable: true},
		{status: 429, retryAfter: "7", retryable: true, delay: 7 * time.Second},
		{status: 500, retryAfter: "7", retryable: true}, // Retry-After only counts on 429 and 503
		{status: 404, retryable: false},
		{status: 400, retryable: false},
		{status: 304, retryable: false},
	}
	a := newActivities(t, Options{})
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, "details\nboom\n")
			})
			_, err := execute(t, a, a.RunHTTP, httpRequest("GET", srv.URL+"/path?token=secret"))
			appErr, details := wantAppError(t, err, ErrTypeHTTPStatus, tt.retryable)
			if appErr.NextRetryDelay() != tt.delay {
				t.Errorf("NextRetryDelay = %s, want %s", appErr.NextRetryDelay(), tt.delay)
			}
			wantOutput := "details\nboom\n"
			if tt.status == 304 {
				wantOutput = "" // a 304 has no body
			}
			if details.StatusCode != tt.status || details.Attempt != 1 || details.Output != wantOutput {
				t.Errorf("details = %+v", details)
			}
			if msg := appErr.Message(); strings.Contains(msg, "secret") || !strings.Contains(msg, srv.URL+"/path") {
				t.Errorf("message %q should name the URL without its query", msg)
			}
		})
	}
}

func TestRunHTTPAcceptStatus(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	})
	a := newActivities(t, Options{})
	req := httpRequest("DELETE", srv.URL)
	req.Spec.HTTP.AcceptStatus = []int{200, 404}
	res, err := execute(t, a, a.RunHTTP, req)
	if err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("RunHTTP = %+v, %v; want 404 accepted", res, err)
	}

	ok := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	req = httpRequest("GET", ok.URL)
	req.Spec.HTTP.AcceptStatus = []int{201}
	_, err = execute(t, a, a.RunHTTP, req)
	wantAppError(t, err, ErrTypeHTTPStatus, false)
}

func TestRunHTTPLimitsResponseRead(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat("a", 1024)+strings.Repeat("b", 1<<20))
	})
	a := newActivities(t, Options{HTTPMaxResponseBytes: 1024, OutputLimit: 16})
	res, err := execute(t, a, a.RunHTTP, httpRequest("GET", srv.URL))
	if err != nil {
		t.Fatalf("RunHTTP: %v", err)
	}
	if want := strings.Repeat("a", 16); res.Output != want {
		t.Errorf("output = %q, want %q: the tail of the first 1024 bytes", res.Output, want)
	}
}

func TestRunHTTPReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	a := newActivities(t, Options{})
	for range 3 {
		if _, err := execute(t, a, a.RunHTTP, httpRequest("POST", srv.URL)); err != nil {
			t.Fatalf("RunHTTP: %v", err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("server saw %d connections, want 1 reused", n)
	}
}

func TestRunHTTPRedirects(t *testing.T) {
	var hits atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/hop":
			http.Redirect(w, r, "/done", http.StatusTemporaryRedirect)
		case "/metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/done":
			_, _ = io.WriteString(w, "done")
		}
	})
	a := newActivities(t, Options{})

	res, err := execute(t, a, a.RunHTTP, httpRequest("POST", srv.URL+"/hop"))
	if err != nil || res.Output != "done" {
		t.Fatalf("RunHTTP(/hop) = %+v, %v; want the redirect followed", res, err)
	}

	hits.Store(0)
	_, err = execute(t, a, a.RunHTTP, httpRequest("GET", srv.URL+"/loop"))
	_, details := wantAppError(t, err, ErrTypeHTTPStatus, false)
	if details.StatusCode != http.StatusFound || hits.Load() != DefaultHTTPMaxRedirects+1 {
		t.Errorf("status %d after %d requests, want 302 after %d", details.StatusCode, hits.Load(),
			DefaultHTTPMaxRedirects+1)
	}

	_, err = execute(t, a, a.RunHTTP, httpRequest("GET", srv.URL+"/metadata"))
	wantAppError(t, err, ErrTypeHostNotAllowed, false)
}

func TestRunHTTPNetworkErrorsAreRetryable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hang := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	a := newActivities(t, Options{})

	_, err := execute(t, a, a.RunHTTP, httpRequest("POST", closed.URL))
	wantAppError(t, err, ErrTypeHTTPNetwork, true)

	req := httpRequest("POST", hang.URL)
	req.Timeout = 100 * time.Millisecond
	_, err = execute(t, a, a.RunHTTP, req)
	appErr, _ := wantAppError(t, err, ErrTypeHTTPNetwork, true)
	if !strings.Contains(appErr.Message(), "timed out") {
		t.Errorf("message = %q, want a timeout", appErr.Message())
	}
}

func TestRunHTTPInvalidSpec(t *testing.T) {
	bad := func(mutate func(*task.HTTP)) task.Request {
		req := httpRequest("POST", "http://127.0.0.1/")
		mutate(req.Spec.HTTP)
		return req
	}
	tests := map[string]task.Request{
		"no http spec":   {TaskName: "webhook", Spec: task.Spec{Type: task.TypeHTTP}},
		"relative url":   bad(func(h *task.HTTP) { h.URL = "/path" }),
		"ftp url":        bad(func(h *task.HTTP) { h.URL = "ftp://example.com/" }),
		"bad method":     bad(func(h *task.HTTP) { h.Method = "GE T" }),
		"header CRLF":    bad(func(h *task.HTTP) { h.Headers = map[string]string{"X-A": "a\r\nX-B: b"} }),
		"bad header":     bad(func(h *task.HTTP) { h.Headers = map[string]string{"X A": "a"} }),
		"unparsable url": bad(func(h *task.HTTP) { h.URL = "http://[::1" }),
	}
	a := newActivities(t, Options{})
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := execute(t, a, a.RunHTTP, req)
			wantAppError(t, err, ErrTypeInvalidSpec, false)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                   0,
		"junk":               0,
		"-5":                 0,
		"0":                  0,
		"30":                 30 * time.Second,
		"999999999999999999": maxRetryAfter,
		now.Add(time.Minute).Format(http.TimeFormat):  time.Minute,
		now.Add(-time.Minute).Format(http.TimeFormat): 0,
	}
	for value, want := range tests {
		if got := retryAfter(value, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", value, got, want)
		}
	}
}
