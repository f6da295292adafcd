//go:build faults

package faults

import (
	"context"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// outcome is one case's row of the results table.
type outcome struct {
	Case    string
	Events  int // distinct event IDs sent
	Lost    int // sent IDs without a workflow, or without the task execution they should have
	Dups    int // workflow IDs with more than one run + task requests repeating a key's attempt
	Retried int // task requests the sink deduplicated: a retried attempt of an executed key
	// Recovery is the longest time without a new task execution at the sink after the first
	// fault (see docs/RELIABILITY.md); 0 when the case has no fault of that kind.
	Recovery time.Duration
	Runtime  time.Duration
	Note     string
}

// dial connects to the case's Temporal; the client closes when the test ends.
func (d *deployment) dial() client.Client {
	d.t.Helper()
	c, err := client.Dial(client.Options{HostPort: d.temporal, Logger: quietLogger{}})
	if err != nil {
		d.t.Fatalf("dial temporal %s: %v", d.temporal, err)
	}
	d.t.Cleanup(c.Close)
	return c
}

// reconcile waits (up to within) until every sent event's workflow is closed in visibility, then
// compares the three sets: event IDs sent, workflows of the case's task queue, task executions
// at the sink. expectTask says which events must have run the sink task (nil: all). It fails
// the test unless lost and duplicates are 0, and records the case's row.
func (d *deployment) reconcile(c client.Client, within time.Duration, expectTask func(id string) bool, o outcome) outcome {
	d.t.Helper()
	ids := d.sentIDs()
	distinct := map[string]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	if expectTask == nil {
		expectTask = func(string) bool { return true }
	}
	q := fmt.Sprintf("TaskQueue = %q", d.taskQueue())
	d.reconcileWait(c, within)
	runs := d.listRuns(c, q)
	o.Events = len(distinct)
	var lostIDs, notCompleted []string
	for id := range distinct {
		rs := runs[event.WorkflowID(id)]
		switch {
		case len(rs) == 0:
			lostIDs = append(lostIDs, id+" (no workflow)")
			continue
		case len(rs) > 1:
			o.Dups += len(rs) - 1
			d.t.Errorf("event %s has %d workflow runs", id, len(rs))
		}
		if rs[0] != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			notCompleted = append(notCompleted, id+" "+rs[0].String())
		}
		if _, ok := d.sink.get(taskKey(id)); expectTask(id) && !ok {
			lostIDs = append(lostIDs, id+" (no task execution)")
		}
	}
	for wid := range runs {
		if !distinct[strings.TrimPrefix(wid, "event-")] {
			d.t.Errorf("workflow %s on the case's task queue was never sent", wid)
		}
	}
	retried, repeated := d.sink.tally()
	o.Lost, o.Retried, o.Dups = len(lostIDs), retried, o.Dups+repeated
	o.Runtime = time.Since(d.start)
	if len(lostIDs) > 0 {
		d.t.Errorf("%d events lost, e.g. %v", len(lostIDs), lostIDs[:min(10, len(lostIDs))])
	}
	if repeated > 0 {
		d.t.Errorf("%d task keys were executed by more than one workflow run (a second execution)", repeated)
	}
	if len(notCompleted) > 0 {
		d.t.Errorf("%d workflows did not complete, e.g. %v", len(notCompleted), notCompleted[:min(10, len(notCompleted))])
	}
	env.results.add(o)
	d.t.Logf("%s: %d events, %d lost, %d duplicates, %d retried requests deduplicated, recovery %s, runtime %s; %s",
		o.Case, o.Events, o.Lost, o.Dups, o.Retried, o.Recovery.Round(100*time.Millisecond), o.Runtime.Round(time.Second), o.Note)
	return o
}

func (d *deployment) count(c client.Client, query string) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	if err != nil {
		d.t.Logf("count workflows: %v", err)
		return -1
	}
	return resp.GetCount()
}

// listRuns lists every run matching query: workflow ID to the statuses of its runs.
func (d *deployment) listRuns(c client.Client, query string) map[string][]enumspb.WorkflowExecutionStatus {
	d.t.Helper()
	out := map[string][]enumspb.WorkflowExecutionStatus{}
	var token []byte
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 1000, NextPageToken: token})
		cancel()
		if err != nil {
			d.t.Fatalf("list workflows: %v", err)
		}
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			out[id] = append(out[id], e.GetStatus())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out
		}
	}
}

// reconcileWait waits (up to within) until visibility holds a closed workflow for every event
// sent; after within it reports the gap and returns.
func (d *deployment) reconcileWait(c client.Client, within time.Duration) {
	d.t.Helper()
	distinct := map[string]bool{}
	for _, id := range d.sentIDs() {
		distinct[id] = true
	}
	q := fmt.Sprintf("TaskQueue = %q", d.taskQueue())
	var total, running int64
	if !testenv.Poll(within, 500*time.Millisecond, func() bool {
		total, running = d.count(c, q), d.count(c, q+" AND ExecutionStatus = 'Running'")
		return total >= int64(len(distinct)) && running == 0
	}) {
		d.t.Errorf("after %s: %d workflows in visibility (%d running), want %d closed", within, total, running, len(distinct))
	}
}

// quietLogger drops the SDK client's logs (refused connections are expected in outages).
type quietLogger struct{}

func (quietLogger) Debug(string, ...interface{}) {}
func (quietLogger) Info(string, ...interface{})  {}
func (quietLogger) Warn(string, ...interface{})  {}
func (quietLogger) Error(string, ...interface{}) {}
