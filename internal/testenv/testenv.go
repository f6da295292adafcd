// Package testenv assembles evtrigger on a real Temporal dev server for end-to-end tests: a
// worker on its own task queue, the HTTP ingress and API on an httptest server, and polling
// helpers that wait with a deadline instead of sleeping.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/activities"
	"github.com/evtrigger/evtrigger/api"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/httpin"
	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/health"
	"github.com/evtrigger/evtrigger/metrics"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
	"github.com/evtrigger/evtrigger/schedules"
	"github.com/evtrigger/evtrigger/worker"
	"github.com/evtrigger/evtrigger/workflows"
)

// TestDeadlockTimeout is the workers' deadlock detection timeout in tests: the race detector on
// a loaded 2-core machine can hold a trivial workflow task past the SDK's 1 s default, and a
// false deadlock then trips a known SDK data race (temporalio/sdk-go#1240).
const TestDeadlockTimeout = 20 * time.Second

// StartTemporal starts a dev server persisting to a SQLite file in dir, so it can be restarted,
// with evtrigger's search attributes registered. Call it from TestMain (use os.MkdirTemp for
// dir) or a test; Stop it when done.
func StartTemporal(ctx context.Context, dir string) (*devserver.Server, error) {
	return devserver.Start(ctx, devserver.Options{DBFile: filepath.Join(dir, "temporal.db"),
		SearchAttributes: workflows.SearchAttributeTypes()})
}

// Stack is evtrigger wired onto a dev server for one test.
type Stack struct {
	Client    client.Client
	TaskQueue string
	// API is the HTTP ingress and API.
	API   *httptest.Server
	Rules rules.Source
	// Store is the rule store when Options.RulesDSN is set; nil otherwise.
	Store store.Store
	// Starter is the stack's idempotent starter, for broker sources under test.
	Starter *ingress.Starter
	// Registry holds the stack's metrics (evtrigger's and the Temporal SDK's), served at
	// /metrics; Metrics is evtrigger's collectors on it, for broker sources under test.
	Registry *prometheus.Registry
	Metrics  *metrics.Metrics
}

// Options adjust a Stack.
type Options struct {
	// NoWorker leaves the worker out: tests that run workers of their own (processes) set it.
	NoWorker bool
	// MaxConcurrentTasks caps the worker's task slots; default the worker's (200).
	MaxConcurrentTasks int
	// OperatorWait and NotifyURL configure the activities (see activities.Options); default:
	// no wait, no notification.
	OperatorWait time.Duration
	NotifyURL    string
	// Outcomes receives task outcomes; nil: none published.
	Outcomes activities.OutcomePublisher
	// Token is the API token; empty: none.
	Token string
	// StartTimeout of the starter; default 5s.
	StartTimeout time.Duration
	// RulesDSN, when set, keeps the rules in that store (seeded with the stack's YAML), served
	// hot-reloaded and through the rules API. Default: the YAML as a static set, no rules API.
	RulesDSN string
	// SyncSchedules runs a schedules.Syncer for the stack's rules and task queue (checking for
	// changes every 100 ms); its schedules are deleted when the test ends. Default: none.
	SyncSchedules bool
}

// NewStack loads rulesYAML, dials srv, starts a worker on a task queue named after the test, and
// serves the API; everything stops when the test ends.
func NewStack(t testing.TB, srv *devserver.Server, rulesYAML string, opts Options) *Stack {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var rs rules.Source = LoadRules(t, rulesYAML)
	var st store.Store
	if opts.RulesDSN != "" {
		st, rs = storeRules(t, opts.RulesDSN, rs.Current(), logger)
	}
	reg, m, sdkMetrics := newMetrics(t)
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace(),
		Logger: sdklog.NewStructuredLogger(logger), MetricsHandler: sdkMetrics})
	if err != nil {
		t.Fatalf("dial temporal: %v", err)
	}
	t.Cleanup(c.Close)
	tq := "test-" + strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	acts, err := activities.New(activities.Options{Logger: logger, Rules: rs, Metrics: m, Outcomes: opts.Outcomes,
		OperatorWait: opts.OperatorWait, NotifyURL: opts.NotifyURL})
	if err != nil {
		t.Fatalf("activities: %v", err)
	}
	if !opts.NoWorker {
		w := worker.New(c, acts, worker.Options{TaskQueue: tq, MaxConcurrentActivities: opts.MaxConcurrentTasks,
			DeadlockDetectionTimeout: TestDeadlockTimeout})
		if err := w.Start(); err != nil {
			t.Fatalf("start worker: %v", err)
		}
		t.Cleanup(w.Stop)
	}
	starter := ingress.NewStarter(c, rs, ingress.StarterOptions{TaskQueue: tq, StartTimeout: opts.StartTimeout,
		EagerStart: true, SearchAttributes: true})
	h := api.NewHandler(api.Options{Token: opts.Token, Events: httpin.New(starter, httpin.Options{Logger: logger, Metrics: m}),
		Store: st, Rules: rs, Temporal: c, Logger: logger,
		Metrics: metrics.Handler(reg), Ready: health.Ready([]health.Check{health.Temporal(c), health.Rules(rs)}, 0)})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	if opts.SyncSchedules {
		syncSchedules(t, c, rs, tq, logger)
	}
	return &Stack{Client: c, TaskQueue: tq, API: ts, Rules: rs, Store: st, Starter: starter, Registry: reg, Metrics: m}
}

// newMetrics returns a fresh registry with evtrigger's collectors and the SDK's handler on it.
func newMetrics(t testing.TB) (*prometheus.Registry, *metrics.Metrics, client.MetricsHandler) {
	t.Helper()
	reg := metrics.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	sdk, err := metrics.NewTemporalHandler(reg)
	if err != nil {
		t.Fatalf("temporal metrics: %v", err)
	}
	return reg, m, sdk
}

// storeRules opens the store at dsn, saves seed's rules into it and returns it with a reloader;
// both close when the test ends.
func storeRules(t testing.TB, dsn string, seed *rules.Set, logger *slog.Logger) (store.Store, rules.Source) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{Logger: logger})
	if err != nil {
		t.Fatalf("open rule store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, r := range seed.Rules() {
		if _, err := st.Create(ctx, r); err != nil {
			t.Fatalf("seed rule store: %v", err)
		}
	}
	rl, err := store.NewReloader(ctx, st, store.ReloaderOptions{Logger: logger})
	if err != nil {
		t.Fatalf("rule reloader: %v", err)
	}
	t.Cleanup(rl.Close)
	return st, rl
}

// syncSchedules runs a Syncer of rs's schedules until the test ends, then deletes the
// schedules of task queue tq.
func syncSchedules(t testing.TB, c client.Client, rs rules.Source, tq string, logger *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	sy := schedules.New(c, rs, schedules.Options{TaskQueue: tq, Interval: 100 * time.Millisecond, Logger: logger})
	go func() {
		defer close(done)
		sy.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		empty := schedules.New(c, rules.NewStatic(nil), schedules.Options{TaskQueue: tq, Logger: logger})
		if err := empty.Sync(context.Background()); err != nil {
			t.Logf("delete the test's schedules: %v", err)
		}
	})
}

// StartWorker starts one more worker on the stack's task queue, for tests that stop one.
func (s *Stack) StartWorker(t testing.TB) sdkworker.Worker {
	t.Helper()
	acts, err := activities.New(activities.Options{Rules: s.Rules, Metrics: s.Metrics})
	if err != nil {
		t.Fatalf("activities: %v", err)
	}
	w := worker.New(s.Client, acts, worker.Options{TaskQueue: s.TaskQueue, DeadlockDetectionTimeout: TestDeadlockTimeout})
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	return w
}

// CountWorkflows counts the workflows on the stack's task queue in Temporal's visibility store.
func (s *Stack) CountWorkflows(t testing.TB) int64 {
	t.Helper()
	resp, err := s.Client.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("TaskQueue = %q", s.TaskQueue),
	})
	if err != nil {
		t.Fatalf("count workflows: %v", err)
	}
	return resp.GetCount()
}

// LoadRules compiles rules from YAML text.
func LoadRules(t testing.TB, rulesYAML string) *rules.Static {
	t.Helper()
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		t.Fatalf("cel env: %v", err)
	}
	compiled, err := rules.Parse("test-rules.yaml", []byte(rulesYAML), env)
	if err != nil {
		t.Fatalf("load rules: %v", err)
	}
	return rules.NewStatic(rules.NewSet(compiled))
}

// PostEvent posts body to /api/v1/events and returns the status and decoded JSON answer.
func (s *Stack) PostEvent(t testing.TB, body string) (int, map[string]any) {
	t.Helper()
	return s.PostEventWithToken(t, body, "")
}

// PostEventWithToken is PostEvent with a bearer token (none when empty).
func (s *Stack) PostEventWithToken(t testing.TB, body, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.API.URL+httpin.Path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post event: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer %d is not JSON: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// Eventually polls cond every 50 ms until it holds or timeout passes, then fails the test with
// msg.
func Eventually(t testing.TB, timeout time.Duration, msg string, cond func() bool) {
	t.Helper()
	if !Poll(timeout, 50*time.Millisecond, cond) {
		t.Fatalf("not within %s: %s", timeout, msg)
	}
}

// Poll checks cond every interval until it holds (true) or timeout passes (false).
func Poll(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
	return true
}
