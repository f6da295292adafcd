package harness

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/ingress"
)

// Shape is a ceiling program's workflow shape.
type Shape int

const (
	// ShapeRegular: a plain start, and a workflow with one no-op regular activity (ceiling a).
	ShapeRegular Shape = iota
	// ShapeEagerLocal: an eager start, and the no-op work in a local activity (ceiling b), the
	// best shape Temporal allows.
	ShapeEagerLocal
)

// Registration names of the ceiling programs.
const (
	ceilingRegularWorkflow = "CeilingRegular"
	ceilingLocalWorkflow   = "CeilingLocal"
	ceilingTask            = "CeilingTask"
)

// ceilingInput is a ceiling workflow's input: the event it stands for and when it was offered.
type ceilingInput struct {
	ID     string
	SentAt time.Time
}

// regularWorkflow runs the no-op task as one regular activity.
func regularWorkflow(ctx workflow.Context, in ceilingInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	return workflow.ExecuteActivity(ctx, ceilingTask, in).Get(ctx, nil)
}

// localWorkflow runs the no-op task as a local activity.
func localWorkflow(ctx workflow.Context, in ceilingInput) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 30 * time.Second})
	return workflow.ExecuteLocalActivity(ctx, ceilingTask, in).Get(ctx, nil)
}

// ceilingActivities holds the no-op task, which records its arrival with the current phase.
type ceilingActivities struct {
	rec atomic.Pointer[recorder]
}

// Task is the no-op task: it records that the event's task arrived.
func (a *ceilingActivities) Task(_ context.Context, in ceilingInput) error {
	a.rec.Load().record(in.ID, in.SentAt)
	return nil
}

// WorkerOptions are the worker options of the ceiling programs: the slots evtrigger's worker
// (package worker) has, slots of each kind (0: its default, 200), and the SDK's default
// pollers.
func WorkerOptions(slots int) sdkworker.Options {
	if slots <= 0 {
		slots = 200
	}
	return sdkworker.Options{
		MaxConcurrentActivityExecutionSize:      slots,
		MaxConcurrentLocalActivityExecutionSize: slots,
		MaxConcurrentWorkflowTaskExecutionSize:  slots,
	}
}

// openCeiling starts a bare SDK program of the given shape on a task queue of its own. Starter
// and worker share one client, as they would in one evtrigger process.
func (e *Env) openCeiling(shape Shape, name string, p Phases) (*system, error) {
	c, err := e.Dial()
	if err != nil {
		return nil, err
	}
	tq := "bench-" + name
	acts := &ceilingActivities{}
	w := sdkworker.New(c, tq, WorkerOptions(p.WorkerSlots))
	w.RegisterWorkflowWithOptions(regularWorkflow, workflow.RegisterOptions{Name: ceilingRegularWorkflow})
	w.RegisterWorkflowWithOptions(localWorkflow, workflow.RegisterOptions{Name: ceilingLocalWorkflow})
	w.RegisterActivityWithOptions(acts.Task, activity.RegisterOptions{Name: ceilingTask})
	if err := w.Start(); err != nil {
		c.Close()
		return nil, fmt.Errorf("start %s worker: %w", name, err)
	}
	wf, eager := ceilingRegularWorkflow, false
	if shape == ShapeEagerLocal {
		wf, eager = ceilingLocalWorkflow, true
	}
	offer := func(ctx context.Context, id string, sentAt time.Time) error {
		return e.startRetrying(ctx, c, client.StartWorkflowOptions{ID: id, TaskQueue: tq, EnableEagerStart: eager},
			wf, ceilingInput{ID: id, SentAt: sentAt})
	}
	return &system{name: name, client: c, tq: tq, offer: offer,
		arrivals: func(r *recorder) { acts.rec.Store(r) },
		close:    func() { w.Stop(); c.Close() }}, nil
}

// startRetrying starts a workflow as evtrigger's Kafka source would: a failed start (a call
// that timed out while the server was saturated) is retried with backoff until ctx ends, and a
// start that already reached the server (REJECT_DUPLICATE, error when already started) counts
// as done. Each retry is logged, hence counted in the phase's warnings.
func (e *Env) startRetrying(ctx context.Context, c client.Client, o client.StartWorkflowOptions, wf string, in ceilingInput) error {
	o.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	o.WorkflowExecutionErrorWhenAlreadyStarted = true
	for attempt := 0; ; attempt++ {
		_, err := c.ExecuteWorkflow(ctx, o, wf, in)
		if err == nil || errors.As(err, new(*serviceerror.WorkflowExecutionAlreadyStarted)) {
			return nil
		}
		e.Logger.Warn("ceiling start retried", "workflow_id", o.ID, "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("start %s: %w", o.ID, err)
		case <-time.After(ingress.Backoff(attempt, 100*time.Millisecond, 10*time.Second)):
		}
	}
}
