// Package schedules keeps Temporal Schedules in step with the scheduled rules (rules with a
// schedule). For each such rule there is one Temporal Schedule, ID "evtrigger-rule-<ruleId>",
// that starts workflows.ScheduledEventWorkflow with the workflow ID prefix
// "event-schedule.<ruleId>"; each firing is a synthetic event of type "schedule.<ruleId>" that
// runs through the same evaluation as any other event.
//
// A Syncer mirrors the rule set: it creates the schedule of a new scheduled rule, updates it
// when the rule changes, pauses it while the rule is disabled and deletes it with the rule (or
// when the rule loses its schedule). It manages only schedules whose memo names its own task
// queue, so deployments with different task queues can share a namespace; a schedule of the
// same ID owned by another task queue is reported and left alone.
package schedules

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/rules"
)

// Options configure a Syncer. The zero value works.
type Options struct {
	// TaskQueue is the workers' task queue, which the schedules start workflows on and which
	// marks the schedules this Syncer owns. Default ingress.DefaultTaskQueue.
	TaskQueue string
	// Interval is how often Run looks for a changed rule set. Default 1s.
	Interval time.Duration
	// Resync is how often Run syncs even when the rules did not change, to repair schedules
	// changed or deleted by hand. Default 1m.
	Resync time.Duration
	// RetryInterval is how soon Run tries again after a failed sync. Default 5s.
	RetryInterval time.Duration
	// CatchupWindow is how late a firing missed while Temporal was down may still run. Default
	// 1m (Temporal's minimum is 10s).
	CatchupWindow time.Duration
	// Logger receives the changes made and the failures. Default slog.Default().
	Logger *slog.Logger
}

// Syncer keeps the Temporal Schedules of the scheduled rules of a rules.Source in step with it.
// It is safe for concurrent use; Sync calls are serialised.
type Syncer struct {
	client client.Client
	rules  rules.Source
	opts   Options

	mu    sync.Mutex
	known map[string]bool // rule IDs whose schedule this Syncer created or saw, not yet deleted
}

// New returns a Syncer of the schedules of rs's rules through c.
func New(c client.Client, rs rules.Source, opts Options) *Syncer {
	if opts.TaskQueue == "" {
		opts.TaskQueue = ingress.DefaultTaskQueue
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Resync <= 0 {
		opts.Resync = time.Minute
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = 5 * time.Second
	}
	if opts.CatchupWindow <= 0 {
		opts.CatchupWindow = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Syncer{client: c, rules: rs, opts: opts, known: map[string]bool{}}
}

// Run syncs at once, then whenever the scheduled rules change (checked every Interval), every
// Resync, and RetryInterval after a failure, until ctx ends; it returns nil then. Failures are
// logged, not returned: a rule whose schedule Temporal refuses does not stop the others.
func (s *Syncer) Run(ctx context.Context) error {
	tick := time.NewTicker(s.opts.Interval)
	defer tick.Stop()
	var synced string // fingerprint of the last successful sync
	var next time.Time
	var lastErr string
	for {
		ds := desiredOf(s.rules.Current())
		if fp := fingerprint(ds); fp != synced || !time.Now().Before(next) {
			err := s.sync(ctx, ds)
			switch {
			case ctx.Err() != nil:
				return nil
			case err != nil:
				if err.Error() != lastErr {
					s.opts.Logger.Error("sync schedules with the rules", "error", err)
				}
				lastErr, synced, next = err.Error(), "", time.Now().Add(s.opts.RetryInterval)
			default:
				if lastErr != "" {
					s.opts.Logger.Info("schedules in step with the rules again")
				}
				lastErr, synced, next = "", fp, time.Now().Add(s.opts.Resync)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Sync makes the Temporal Schedules mirror the current rules once: every scheduled rule's
// schedule created or updated (paused while the rule is disabled), every schedule of this task
// queue without a scheduled rule deleted. It goes on past a failing schedule and returns every
// failure joined.
func (s *Syncer) Sync(ctx context.Context) error {
	return s.sync(ctx, desiredOf(s.rules.Current()))
}

func (s *Syncer) sync(ctx context.Context, ds []desired) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	want := make(map[string]bool, len(ds))
	for _, d := range ds {
		want[d.ruleID] = true
		if err := s.ensure(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	stale, err := s.owned(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for id := range s.known {
		stale = append(stale, id)
	}
	for _, id := range stale {
		if want[id] {
			continue
		}
		if err := s.remove(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
