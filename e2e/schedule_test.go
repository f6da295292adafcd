package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/schedules"
	"github.com/evtrigger/evtrigger/worker"
	"github.com/evtrigger/evtrigger/workflows"
)

// TestScheduleFiresAndFollowsTheRule: a stored rule with `schedule: "@every 2s"` becomes a
// Temporal Schedule that fires at least twice, each firing a completed workflow
// event-schedule.<ruleId>-<time> whose HTTP task hits the sink with the synthetic event's ID;
// updating the rule's schedule updates the Temporal Schedule, disabling the rule pauses it and
// deleting the rule deletes it. A firing's history replays with the current workflow code
// (EVTRIGGER_UPDATE_HISTORY=1 records it into workflows/testdata/scheduled).
func TestScheduleFiresAndFollowsTheRule(t *testing.T) {
	sk := newSink(t)
	rid := fmt.Sprintf("tick-%d", time.Now().UnixNano())
	st := testenv.NewStack(t, temporal, fmt.Sprintf(`taskTriggerRules:
  - ruleId: %s
    schedule: "@every 2s"
    taskType: http
    parameters: {url: "%s/tick/${eventId}"}
`, rid, sk.srv.URL), testenv.Options{RulesDSN: filepath.Join(t.TempDir(), "rules.db"), SyncSchedules: true})
	ctx := context.Background()
	h := st.Client.ScheduleClient().GetHandle(ctx, schedules.ID(rid))

	testenv.Eventually(t, 60*time.Second, "two firings reach the sink", func() bool {
		return len(sk.keysWithPrefix("schedule."+rid+"-")) >= 2
	})
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != 2*time.Second {
		t.Errorf("intervals %+v, want every 2s", iv)
	}
	if n := len(desc.Info.RecentActions); n < 2 {
		t.Fatalf("%d recent actions, want at least 2", n)
	}
	for _, a := range desc.Info.RecentActions[:2] {
		checkFiring(t, st, rid, a.StartWorkflowResult, sk)
	}
	first := desc.Info.RecentActions[0].StartWorkflowResult.WorkflowID
	replayScheduled(t, fetchHistory(t, st.Client, first), first)

	saveRule(t, st, rid, func(r *rules.Rule) { r.Schedule = "@every 1h" })
	testenv.Eventually(t, 10*time.Second, "the schedule follows the rule's new interval", func() bool {
		d, err := h.Describe(ctx)
		return err == nil && len(d.Schedule.Spec.Intervals) == 1 && d.Schedule.Spec.Intervals[0].Every == time.Hour &&
			strings.Contains(d.Schedule.State.Note, "version 2") && !d.Schedule.State.Paused
	})

	if _, err := st.Store.SetEnabled(ctx, rid, false, 0); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the disabled rule's schedule is paused", func() bool {
		d, err := h.Describe(ctx)
		return err == nil && d.Schedule.State.Paused
	})

	if err := st.Store.Delete(ctx, rid, 0); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the deleted rule's schedule is gone", func() bool {
		_, err := h.Describe(ctx)
		return errors.As(err, new(*serviceerror.NotFound))
	})
}

// replayScheduled replays the history of the scheduled workflow wid with the current workflow
// code, under its own workflow ID (the event ID comes from it). With EVTRIGGER_UPDATE_HISTORY=1
// it writes the history and its workflow ID to workflows/testdata/scheduled/, which
// workflows/scheduled_replay_test.go replays, unless they exist.
func replayScheduled(t *testing.T, hist *historypb.History, wid string) {
	t.Helper()
	replayer := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(replayer)
	err := replayer.ReplayWorkflowHistoryWithOptions(nil, hist, sdkworker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: wid}})
	if err != nil {
		t.Fatalf("replay of the server's history of %s: %v", wid, err)
	}
	if os.Getenv("EVTRIGGER_UPDATE_HISTORY") == "" {
		return
	}
	path := filepath.Join("..", "workflows", "testdata", "scheduled", "scheduled_event_workflow.json")
	if _, err := os.Stat(path); err == nil {
		t.Logf("%s exists: not overwritten (it guards the workflows it was recorded from)", path)
		return
	}
	data, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(strings.TrimSuffix(path, ".json")+".id", []byte(wid+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// checkFiring checks one firing's workflow: its ID, that it completed with the scheduled rule's
// task succeeded, and that the task reached the sink with the event's ID.
func checkFiring(t *testing.T, st *testenv.Stack, rid string, wf *client.ScheduleWorkflowExecution, sk *sink) {
	t.Helper()
	if wf == nil || !strings.HasPrefix(wf.WorkflowID, "event-schedule."+rid+"-") {
		t.Fatalf("firing %+v: want a workflow ID starting event-schedule.%s-", wf, rid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var status workflows.Status
	if err := st.Client.GetWorkflow(ctx, wf.WorkflowID, wf.FirstExecutionRunID).Get(ctx, &status); err != nil {
		t.Fatalf("workflow %s: %v", wf.WorkflowID, err)
	}
	eventID := strings.TrimPrefix(wf.WorkflowID, "event-")
	if status.EventID != eventID || status.EventType != "schedule."+rid {
		t.Errorf("workflow %s handled event %q of type %q", wf.WorkflowID, status.EventID, status.EventType)
	}
	if len(status.Tasks) != 1 || status.Tasks[0].State != workflows.TaskSucceeded {
		t.Errorf("workflow %s tasks %+v, want one succeeded", wf.WorkflowID, status.Tasks)
	}
	if sk.count(eventID+"/"+rid) < 1 {
		t.Errorf("the sink never saw %s/%s", eventID, rid)
	}
}

// saveRule changes the stored rule rid with change, compiled as the API would save it.
func saveRule(t *testing.T, st *testenv.Stack, rid string, change func(*rules.Rule)) {
	t.Helper()
	ctx := context.Background()
	rec, err := st.Store.Get(ctx, rid)
	if err != nil {
		t.Fatal(err)
	}
	r := rec.Rule
	change(&r)
	c, err := rules.Compile(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Store.Update(ctx, c.Rule, rec.Rule.Version); err != nil {
		t.Fatal(err)
	}
}

// TestSchedulesOfStaticRules: rules from a file (no store) get their schedules from one Sync,
// a disabled rule's paused, a rule without a schedule none; a second Sync changes nothing; a
// Syncer of another task queue leaves them alone; a Syncer of the same task queue whose rules
// lack them deletes them.
func TestSchedulesOfStaticRules(t *testing.T) {
	n := time.Now().UnixNano()
	on, off := fmt.Sprintf("hourly-%d", n), fmt.Sprintf("nightly-%d", n)
	st := testenv.NewStack(t, temporal, fmt.Sprintf(`taskTriggerRules:
  - {ruleId: %s, schedule: "@every 1h", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: %s, schedule: "30 2 * * *", enabled: false, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: plain-%[1]s, eventType: order.created, taskType: shell, parameters: {script: /bin/true}}
`, on, off), testenv.Options{})
	ctx := context.Background()
	sc := st.Client.ScheduleClient()
	empty := schedules.New(st.Client, rules.NewStatic(nil), schedules.Options{TaskQueue: st.TaskQueue})
	t.Cleanup(func() { empty.Sync(ctx) })
	own := schedules.New(st.Client, st.Rules, schedules.Options{TaskQueue: st.TaskQueue})
	if err := own.Sync(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	a, err := sc.GetHandle(ctx, schedules.ID(on)).Describe(ctx)
	if err != nil || a.Schedule.State.Paused {
		t.Fatalf("schedule of %s: %+v, %v; want it running", on, a, err)
	}
	b, err := sc.GetHandle(ctx, schedules.ID(off)).Describe(ctx)
	if err != nil || !b.Schedule.State.Paused {
		t.Fatalf("schedule of the disabled %s: %+v, %v; want it paused", off, b, err)
	}
	if _, err := sc.GetHandle(ctx, schedules.ID("plain-"+on)).Describe(ctx); !errors.As(err, new(*serviceerror.NotFound)) {
		t.Errorf("a rule without a schedule has one: %v", err)
	}
	act, _ := b.Schedule.Action.(*client.ScheduleWorkflowAction)
	if act == nil || act.TaskQueue != st.TaskQueue || act.ID != "event-schedule."+off || act.Workflow != workflows.ScheduledEventWorkflowName {
		t.Errorf("action %+v: want %s on %s with ID prefix event-schedule.%s", act, workflows.ScheduledEventWorkflowName, st.TaskQueue, off)
	}
	if err := own.Sync(ctx); err != nil {
		t.Fatalf("second sync: %v", err)
	}
	if again, err := sc.GetHandle(ctx, schedules.ID(on)).Describe(ctx); err != nil || !again.Info.LastUpdateAt.Equal(a.Info.LastUpdateAt) {
		t.Errorf("a second sync of the same rules updated the schedule: %v then %v (%v)", a.Info.LastUpdateAt, again.Info.LastUpdateAt, err)
	}

	other := schedules.New(st.Client, st.Rules, schedules.Options{TaskQueue: st.TaskQueue + "-other"})
	if err := other.Sync(ctx); !errors.Is(err, schedules.ErrNotOwned) {
		t.Errorf("a syncer of another task queue: %v, want ErrNotOwned", err)
	}

	testenv.Eventually(t, 20*time.Second, "a syncer without the rules deletes their schedules", func() bool {
		if err := empty.Sync(ctx); err != nil {
			t.Logf("sync: %v", err)
		}
		_, errA := sc.GetHandle(ctx, schedules.ID(on)).Describe(ctx)
		_, errB := sc.GetHandle(ctx, schedules.ID(off)).Describe(ctx)
		return errors.As(errA, new(*serviceerror.NotFound)) && errors.As(errB, new(*serviceerror.NotFound))
	})
}

// keysWithPrefix lists the distinct Idempotency-Keys the sink saw that start with prefix.
func (s *sink) keysWithPrefix(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.hits {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}
