package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
)

// useDevStore makes dev mode keep its rules in <dataDir>/rules.db unless --rules-dsn says
// otherwise, seeding a store that was never written with --rules.
func (c *common) useDevStore(dataDir string) {
	if c.rulesDSN == "" {
		c.rulesDSN = filepath.Join(dataDir, "rules.db")
	}
	c.seedStore = true
}

// rulesFrom says where the rules come from, for start-up messages.
func (c *common) rulesFrom() string {
	if c.rulesDSN == "" {
		return c.rulesPath
	}
	if store.IsPostgres(c.rulesDSN) {
		return "the PostgreSQL rule store (hot reload)"
	}
	return c.rulesDSN + " (hot reload)"
}

// openRules gives the opened set-up its rules: the static --rules without --rules-dsn, else a
// store with a reloader (seeded from --rules first when seedStore and the store was never
// written). The client is left to the caller.
func (c *common) openRules(ctx context.Context, logger *slog.Logger) (*opened, error) {
	if c.rulesDSN == "" {
		rs, err := loadRules(c.rulesPath)
		if err != nil {
			return nil, err
		}
		return &opened{logger: logger, rules: rs, stop: func() {}}, nil
	}
	st, err := store.Open(ctx, c.rulesDSN, store.Options{Logger: logger})
	if err != nil {
		return nil, err
	}
	if c.seedStore {
		if err := seedStore(ctx, st, c.rulesPath, logger); err != nil {
			st.Close()
			return nil, err
		}
	}
	rl, err := store.NewReloader(ctx, st, store.ReloaderOptions{Logger: logger})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("load rules from store: %w", err)
	}
	return &opened{logger: logger, rules: rl, store: st, stop: func() { rl.Close(); st.Close() }}, nil
}

// close releases the Temporal client and the rules.
func (o *opened) close() {
	if o.client != nil {
		o.client.Close()
	}
	o.stop()
}

// seedStore saves the rules under path into st when st was never written (revision 0), so a
// new dev store starts with the examples while deleting every rule later sticks.
func seedStore(ctx context.Context, st store.Store, path string, logger *slog.Logger) error {
	rev, err := st.Revision(ctx)
	if err != nil || rev != 0 {
		return err
	}
	rs, err := loadRules(path)
	if err != nil {
		return fmt.Errorf("seed rule store: %w", err)
	}
	for _, r := range rs.Current().Rules() {
		if _, err := st.Create(ctx, r); err != nil {
			return fmt.Errorf("seed rule store: %w", err)
		}
	}
	logger.Info("seeded the new rule store", "from", path, "rules", rs.Current().Len())
	return nil
}

// compiledRules is rules.Set.Rules for a path, used by apply.
func compiledRules(path string) ([]rules.Rule, error) {
	rs, err := loadRules(path)
	if err != nil {
		return nil, err
	}
	return rs.Current().Rules(), nil
}
