package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/evtrigger/evtrigger/rules"
)

// DefaultPollInterval is how often a Reloader reads the store's revision.
const DefaultPollInterval = 500 * time.Millisecond

// ReloaderOptions configure a Reloader. The zero value works.
type ReloaderOptions struct {
	// Interval between two reads of the revision. Default DefaultPollInterval.
	Interval time.Duration
	// Env compiles the rules. Default: a rules.NewEnv with default options.
	Env *rules.Env
	// Logger receives reloads and rules that fail to compile. Default slog.Default().
	Logger *slog.Logger
}

// Reloader is a rules.Source over a Store: it holds the current compiled rule set and rebuilds
// it when the store's revision changes (checked every Interval, and at once on a PostgreSQL
// notification), so every process sharing a store sees a change within about one Interval.
// A stored rule that fails to compile does not take the others down: it is logged and its last
// good version stays in the set (a rule that never compiled is left out).
type Reloader struct {
	st     Store
	opts   ReloaderOptions
	cur    atomic.Pointer[snapshot]
	cancel context.CancelFunc
	done   chan struct{}
}

// snapshot is one compiled state of the store.
type snapshot struct {
	set  *rules.Set
	rev  int64
	byID map[string]*rules.Compiled
}

// NewReloader loads the rules once (an error when the store cannot be read) and then keeps them
// current in a goroutine until Close.
func NewReloader(ctx context.Context, st Store, opts ReloaderOptions) (*Reloader, error) {
	if opts.Interval <= 0 {
		opts.Interval = DefaultPollInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Env == nil {
		env, err := rules.NewEnv(rules.EnvOptions{})
		if err != nil {
			return nil, err
		}
		opts.Env = env
	}
	r := &Reloader{st: st, opts: opts, done: make(chan struct{})}
	r.cur.Store(&snapshot{set: rules.NewSet(nil), rev: -1})
	if err := r.Reload(ctx); err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.loop(lctx)
	return r, nil
}

// Current returns the current rule set; never nil.
func (r *Reloader) Current() *rules.Set { return r.cur.Load().set }

// Revision returns the store revision the current set was built from.
func (r *Reloader) Revision() int64 { return r.cur.Load().rev }

// Close stops the reloading goroutine; Current keeps answering the last set.
func (r *Reloader) Close() {
	r.cancel()
	<-r.done
}

// loop checks the revision every Interval and on every notification.
func (r *Reloader) loop(ctx context.Context) {
	defer close(r.done)
	tick := time.NewTicker(r.opts.Interval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.st.Changed():
		}
		err := r.Reload(ctx)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			r.opts.Logger.Warn("rule store unreadable; keeping the current rules", "revision", r.Revision(), "error", err)
		case err == nil && failing:
			r.opts.Logger.Info("rule store readable again", "revision", r.Revision())
		}
		failing = err != nil
	}
}

// Reload rebuilds the set now if the store's revision differs from the current one's.
func (r *Reloader) Reload(ctx context.Context) error {
	rev, err := r.st.Revision(ctx)
	if err != nil {
		return err
	}
	old := r.cur.Load()
	if rev == old.rev {
		return nil
	}
	rev, recs, err := r.st.Snapshot(ctx)
	if err != nil {
		return err
	}
	next := r.build(old, rev, recs)
	r.cur.Store(next)
	r.opts.Logger.Info("rules loaded from store", "revision", rev, "rules", next.set.Len())
	return nil
}

// build compiles recs, reusing the compiled rules of old whose version did not change.
func (r *Reloader) build(old *snapshot, rev int64, recs []Record) *snapshot {
	next := &snapshot{rev: rev, byID: make(map[string]*rules.Compiled, len(recs))}
	list := make([]*rules.Compiled, 0, len(recs))
	for _, rec := range recs {
		id := rec.Rule.ID
		prev := old.byID[id]
		c := prev
		if prev == nil || prev.Rule.Version != rec.Rule.Version || prev.Rule.IsEnabled() != rec.Rule.IsEnabled() {
			var err error
			if c, err = rules.Compile(rec.Rule, r.opts.Env); err != nil {
				r.opts.Logger.Error("stored rule does not compile; keeping its last good version",
					"rule", id, "version", rec.Rule.Version, "kept_version", versionOf(prev), "error", err)
				c = prev
			}
		}
		if c != nil {
			next.byID[id] = c
			list = append(list, c)
		}
	}
	next.set = rules.NewSet(list)
	return next
}

// versionOf is c's version, 0 for none.
func versionOf(c *rules.Compiled) string {
	if c == nil {
		return "none"
	}
	return fmt.Sprint(c.Rule.Version)
}
