package harness

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
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
// (package worker) uses by default, and the SDK's default pollers.
func WorkerOptions() sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentActivityExecutionSize:      200,
		MaxConcurrentLocalActivityExecutionSize: 200,
		MaxConcurrentWorkflowTaskExecutionSize:  200,
	}
}

// Ceiling runs a bare SDK program of the given shape on a task queue of its own: a saturated
// phase of p.N workflows, then a paced phase at p.Rate for p.Paced. Starter and worker share
// one client, as they would in one evtrigger process.
func (e *Env) Ceiling(ctx context.Context, shape Shape, name string, p Phases) (PhaseResult, error) {
	c, err := e.Dial()
	if err != nil {
		return PhaseResult{}, err
	}
	defer c.Close()
	tq := "bench-" + name
	acts := &ceilingActivities{}
	w := sdkworker.New(c, tq, WorkerOptions())
	w.RegisterWorkflowWithOptions(regularWorkflow, workflow.RegisterOptions{Name: ceilingRegularWorkflow})
	w.RegisterWorkflowWithOptions(localWorkflow, workflow.RegisterOptions{Name: ceilingLocalWorkflow})
	w.RegisterActivityWithOptions(acts.Task, activity.RegisterOptions{Name: ceilingTask})
	if err := w.Start(); err != nil {
		return PhaseResult{}, fmt.Errorf("start %s worker: %w", name, err)
	}
	defer w.Stop()
	wf, eager := ceilingRegularWorkflow, false
	if shape == ShapeEagerLocal {
		wf, eager = ceilingLocalWorkflow, true
	}
	offer := func(ctx context.Context, id string, sentAt time.Time) error {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: tq, EnableEagerStart: eager},
			wf, ceilingInput{ID: id, SentAt: sentAt})
		return err
	}
	return e.runPhases(ctx, c, tq, name, offer, p, func(r *recorder) { acts.rec.Store(r) })
}
