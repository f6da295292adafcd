// Package activities holds evtrigger's Temporal activities: rule evaluation (EvaluateRules, run
// as a local activity) and the task runners that execute a rendered task.Request as a shell
// command (RunShell) or an HTTP call (RunHTTP).
//
// Activities are methods on *Activities, built once per worker with New and registered with
// worker.RegisterActivity. Every failure is a *temporal.ApplicationError whose Type is one of the
// ErrType constants and whose details hold a task.FailureDetails, so the workflow can tell
// retryable from permanent failures with errors.As and report the last attempt's output.
package activities

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/metrics"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultOutputLimit          = 4096
	DefaultHTTPMaxRedirects     = 5
	DefaultHTTPMaxResponseBytes = 1 << 20
	DefaultKillGrace            = 2 * time.Second
)

// Options configures New. The zero value is usable: any host allowed (except the always-denied
// link-local and metadata addresses), no extra shell environment, 4 KiB output tails.
type Options struct {
	// Rules hands EvaluateRules the current rule set. Nil: no rule matches anything.
	Rules rules.Source
	// Outcomes, when set, receives every task's outcome (PublishOutcome). Default: none.
	Outcomes OutcomePublisher
	// OperatorWait is how long a workflow whose tasks failed for good waits for an operator's
	// retry, skip or abort. Default 0: it compensates and fails at once.
	OperatorWait time.Duration
	// NotifyURL, when set, receives a Slack-compatible JSON message ({"text": ...}) when a
	// workflow starts waiting for an operator. It obeys HTTPAllow like HTTP tasks.
	NotifyURL string
	// HTTPAllow lists the hosts HTTP tasks may reach; see NewHostPolicy. Empty allows any host.
	HTTPAllow []string
	// ShellEnv holds "KEY=VALUE" entries passed to every shell task.
	ShellEnv []string
	// OutputLimit is how many bytes of output (the tail) a result or failure keeps.
	// 0 means DefaultOutputLimit; negative keeps none.
	OutputLimit int
	// Logger receives the activities' logs; slog.Default() when nil.
	Logger *slog.Logger
	// HTTPMaxRedirects bounds the redirects followed per request.
	// 0 means DefaultHTTPMaxRedirects; negative follows none.
	HTTPMaxRedirects int
	// HTTPMaxResponseBytes bounds how much of a response body is read; the rest is discarded.
	// 0 means DefaultHTTPMaxResponseBytes; negative reads none.
	HTTPMaxResponseBytes int64
	// Metrics receives rule matches and task metrics (triggered, duration by outcome, retries,
	// trigger latency). Nil: none.
	Metrics *metrics.Metrics
	// Temporal is the client AcquirePermit signals rule limiters with. Nil: worker.New sets its
	// own client.
	Temporal client.Client
}

// Activities runs tasks. Build it with New; its fields may be adjusted before the worker
// starts and must not change afterwards.
type Activities struct {
	// Rules hands EvaluateRules the current rule set.
	Rules rules.Source
	// Outcomes receives task outcomes; nil: outcomes are not published.
	Outcomes OutcomePublisher
	// OperatorWait and NotifyURL: see Options.
	OperatorWait time.Duration
	NotifyURL    string
	// HTTPClient sends HTTP tasks. The client built by New enforces Hosts at dial time and on
	// every redirect; a replacement client only gets the check of the URL's host name.
	HTTPClient *http.Client
	// Hosts decides which hosts HTTP tasks may reach.
	Hosts *HostPolicy
	// Logger receives the activities' logs.
	Logger *slog.Logger
	// OutputLimit is how many bytes of output (the tail) are kept; 0 keeps none.
	OutputLimit int
	// ShellEnv holds "KEY=VALUE" entries passed to every shell task.
	ShellEnv []string
	// KillGrace is how long a shell task's process group has between SIGTERM and SIGKILL.
	KillGrace time.Duration
	// MaxResponseBytes bounds how much of an HTTP response body is read.
	MaxResponseBytes int64
	// Metrics receives rule matches and task metrics; nil records none.
	Metrics *metrics.Metrics
	// Temporal signals rule limiters (AcquirePermit); nil: rules with limits fail their tasks.
	Temporal client.Client
}

// New builds Activities from opts. It fails when an HTTPAllow entry or a ShellEnv entry is
// malformed.
func New(opts Options) (*Activities, error) {
	hosts, err := NewHostPolicy(opts.HTTPAllow)
	if err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	for _, kv := range opts.ShellEnv {
		key, _, ok := strings.Cut(kv, "=")
		if !ok || !validEnvKey(key) || strings.ContainsRune(kv, 0) {
			return nil, fmt.Errorf("activities: shell env entry %q is not KEY=VALUE", kv)
		}
	}
	return &Activities{
		Rules:            opts.Rules,
		Outcomes:         opts.Outcomes,
		OperatorWait:     opts.OperatorWait,
		NotifyURL:        opts.NotifyURL,
		HTTPClient:       newHTTPClient(hosts, orDefault(opts.HTTPMaxRedirects, DefaultHTTPMaxRedirects)),
		Hosts:            hosts,
		Logger:           cmp.Or(opts.Logger, slog.Default()),
		OutputLimit:      orDefault(opts.OutputLimit, DefaultOutputLimit),
		ShellEnv:         append([]string(nil), opts.ShellEnv...),
		KillGrace:        DefaultKillGrace,
		MaxResponseBytes: orDefault(opts.HTTPMaxResponseBytes, DefaultHTTPMaxResponseBytes),
		Metrics:          opts.Metrics,
		Temporal:         opts.Temporal,
	}, nil
}

// orDefault returns def for 0, 0 for negative values, and v otherwise.
func orDefault[T int | int64](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// logger returns a.Logger with the task's identifying attributes.
func (a *Activities) logger(req task.Request, attempt int32) *slog.Logger {
	l := a.Logger
	if l == nil {
		l = slog.Default()
	}
	return l.With("task_type", req.Spec.Type, "task", req.TaskName, "event_id", req.EventID,
		"trace_id", req.TraceID, "rule_id", req.RuleID, "attempt", attempt)
}
