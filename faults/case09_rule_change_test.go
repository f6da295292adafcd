//go:build faults

package faults

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/workflows"
)

// TestCase09RuleChangedUnderLoad updates the rule (version 2 calls another URL) and then
// disables it (version 3) while events flow through an ingress and a worker sharing a
// PostgreSQL rule store. Each workflow records the one version its event was evaluated
// against; the outcome must be that version's: v1 and v2 call their own URL, v3 runs nothing.
// The ingress records unmatched events too (--record-unmatched), so every event has a workflow.
func TestCase09RuleChangedUnderLoad(t *testing.T) {
	d := newDeployment(t, "rulechg", env.temporal.Address())
	rs := newRuleStore(t, d)
	k := newKafkaClient(t)
	k.createTopics(t, 6, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker", "--rules-dsn", rs.dsn)
	d.startKafkaIngress("ingress", "--rules-dsn", rs.dsn, "--record-unmatched")
	n := env.events
	d.produceEvents(k, 0, n, 0)
	ctx := context.Background()
	d.waitExecuted(n/3, 5*time.Minute)
	if _, err := rs.st.Update(ctx, sinkRuleFor(t, d, d.name+"-v2"), 1); err != nil {
		t.Fatalf("update the rule: %v", err)
	}
	d.waitExecuted(2*n/3, 5*time.Minute)
	if _, err := rs.st.SetEnabled(ctx, "sink", false, 2); err != nil {
		t.Fatalf("disable the rule: %v", err)
	}
	versions := map[string]int64{}
	expect := func(id string) bool { return versions[id] != 3 }
	// Wait for every workflow to close, then check each one's recorded version and outcome.
	d.reconcileWait(c, 5*time.Minute)
	perVersion := map[int64]int{}
	for _, id := range d.sentIDs() {
		var st workflows.Status
		if err := c.GetWorkflow(ctx, event.WorkflowID(id), "").Get(ctx, &st); err != nil {
			t.Errorf("workflow of %s: %v", id, err)
			continue
		}
		v := checkVersion(t, d, id, st)
		versions[id] = v
		perVersion[v]++
	}
	for v := int64(1); v <= 3; v++ {
		if perVersion[v] == 0 {
			t.Errorf("no event was evaluated against version %d: the change did not happen under load (%v)", v, perVersion)
		}
	}
	d.reconcile(c, time.Minute, expect, outcome{Case: "9. rule updated, then disabled, under load",
		Note: fmt.Sprintf("events per rule version: v1 %d, v2 %d (other URL), v3 %d (disabled: no task)",
			perVersion[1], perVersion[2], perVersion[3])})
}

// checkVersion checks that event id's workflow evaluated one version of the sink rule and did
// what that version says, and returns the version.
func checkVersion(t *testing.T, d *deployment, id string, st workflows.Status) int64 {
	t.Helper()
	if len(st.Verdicts) != 1 || st.Verdicts[0].RuleID != "sink" {
		t.Errorf("%s: verdicts %+v, want one for rule sink", id, st.Verdicts)
		return 0
	}
	v := st.Verdicts[0]
	exec, ran := d.sink.get(taskKey(id))
	want := map[int64]string{1: "/task/" + d.name, 2: "/task/" + d.name + "-v2"}
	switch {
	case v.Version == 3:
		if v.Outcome != rules.OutcomeDisabled || len(st.Tasks) != 0 || ran {
			t.Errorf("%s: version 3 (disabled) gave %s, %d tasks, ran at the sink %v", id, v.Outcome, len(st.Tasks), ran)
		}
	case want[v.Version] != "":
		if v.Outcome != rules.OutcomeMatched || len(st.Tasks) != 1 || st.Tasks[0].RuleVersion != v.Version ||
			!ran || exec.path != want[v.Version] {
			t.Errorf("%s: version %d gave %s, tasks %+v, sink path %q (ran %v), want matched and %s",
				id, v.Version, v.Outcome, st.Tasks, exec.path, ran, want[v.Version])
		}
	default:
		t.Errorf("%s: evaluated against version %d, which never existed", id, v.Version)
	}
	return v.Version
}
