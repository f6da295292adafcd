//go:build faults

package faults

import (
	"context"
	"fmt"
	"testing"

	"github.com/evtrigger/evtrigger/internal/pgtest"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
)

// ruleStore is a fresh PostgreSQL rule store holding the case's sink rule (version 1), shared
// by the case's processes through --rules-dsn.
type ruleStore struct {
	dsn string
	st  store.Store
}

func newRuleStore(t *testing.T, d *deployment) *ruleStore {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatalf("open rule store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	rs := &ruleStore{dsn: dsn, st: st}
	if _, err := st.Create(context.Background(), sinkRuleFor(t, d, d.name)); err != nil {
		t.Fatalf("save the sink rule: %v", err)
	}
	return rs
}

// sinkRuleFor compiles the sink rule with the task's URL path /task/<path>.
func sinkRuleFor(t *testing.T, d *deployment, path string) rules.Rule {
	t.Helper()
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compiled, err := rules.Parse("sink.yaml", []byte(fmt.Sprintf(sinkRule, d.sink.srv.URL, path)), env)
	if err != nil {
		t.Fatalf("compile the sink rule: %v", err)
	}
	return compiled[0].Rule
}
