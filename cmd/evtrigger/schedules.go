package main

import (
	"context"
	"flag"

	"github.com/evtrigger/evtrigger/schedules"
)

// scheduleFlags say whether this process keeps the Temporal Schedules of scheduled rules in
// step with its rules.
type scheduleFlags struct {
	sync bool
}

// register adds --sync-schedules with its default (dev: on; worker and ingress: off, so that
// one chosen process type owns the schedules).
func (s *scheduleFlags) register(fs *flag.FlagSet, def bool) {
	boolFlag(fs, &s.sync, "sync-schedules", def,
		"keep a Temporal Schedule evtrigger-rule-<ruleId> per scheduled rule in step with the rules (create, update, pause while disabled, delete)")
}

// start runs a schedules.Syncer of o's rules on task queue tq when --sync-schedules is set;
// stop ends it and waits for it. Without the flag both do nothing.
func (s *scheduleFlags) start(ctx context.Context, o *opened, tq string) (stop func()) {
	if !s.sync {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	sy := schedules.New(o.client, o.rules, schedules.Options{TaskQueue: tq, Logger: o.logger.With("component", "schedules")})
	go func() {
		defer close(done)
		sy.Run(ctx)
	}()
	return func() { cancel(); <-done }
}
