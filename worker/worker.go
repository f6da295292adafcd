// Package worker wires evtrigger's workflow and activities into a Temporal worker.
package worker

import (
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/activities"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/workflows"
)

// Options configure a worker. The zero value works.
type Options struct {
	// TaskQueue to poll. Default ingress.DefaultTaskQueue.
	TaskQueue string
	// MaxConcurrentActivities caps the tasks (shell, http) this worker runs at once. Default 200.
	MaxConcurrentActivities int
	// MaxConcurrentWorkflowTasks caps the workflow tasks in flight. Default 200.
	MaxConcurrentWorkflowTasks int
	// DeadlockDetectionTimeout is how long workflow code may run without yielding before the SDK
	// fails the workflow task as deadlocked. Default the SDK's (1 s); tests under the race
	// detector on a loaded machine raise it.
	DeadlockDetectionTimeout time.Duration
}

// New returns a worker, not yet started, that runs EventWorkflow, ScheduledEventWorkflow,
// KeySequencerWorkflow, RuleLimiterWorkflow and the activities of acts; acts without a
// Temporal client get c. Start it with Start or Run; stop it with Stop.
func New(c client.Client, acts *activities.Activities, opts Options) sdkworker.Worker {
	if acts.Temporal == nil {
		acts.Temporal = c
	}
	if opts.TaskQueue == "" {
		opts.TaskQueue = ingress.DefaultTaskQueue
	}
	if opts.MaxConcurrentActivities <= 0 {
		opts.MaxConcurrentActivities = 200
	}
	if opts.MaxConcurrentWorkflowTasks <= 0 {
		opts.MaxConcurrentWorkflowTasks = 200
	}
	w := sdkworker.New(c, opts.TaskQueue, sdkOptions(opts))
	RegisterWorkflows(w)
	RegisterActivities(w, acts)
	return w
}

// sdkOptions maps opts (defaults applied) onto the SDK's worker options.
func sdkOptions(opts Options) sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentActivityExecutionSize:      opts.MaxConcurrentActivities,
		MaxConcurrentLocalActivityExecutionSize: opts.MaxConcurrentActivities,
		MaxConcurrentWorkflowTaskExecutionSize:  opts.MaxConcurrentWorkflowTasks,
		DeadlockDetectionTimeout:                opts.DeadlockDetectionTimeout,
	}
}

// RegisterWorkflows registers the workflows under the names in package workflows, on a worker,
// a test environment or a replayer.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.EventWorkflow, workflow.RegisterOptions{Name: workflows.EventWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ScheduledEventWorkflow, workflow.RegisterOptions{Name: workflows.ScheduledEventWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.KeySequencerWorkflow, workflow.RegisterOptions{Name: workflows.KeySequencerWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.RuleLimiterWorkflow, workflow.RegisterOptions{Name: workflows.LimiterWorkflowName})
}

// RegisterActivities registers the activities of acts under the names in package workflows,
// on a worker or a test environment.
func RegisterActivities(r ActivityRegistry, acts *activities.Activities) {
	r.RegisterActivityWithOptions(acts.EvaluateRules, activity.RegisterOptions{Name: workflows.ActivityEvaluateRules})
	r.RegisterActivityWithOptions(acts.RunShell, activity.RegisterOptions{Name: workflows.ActivityRunShell})
	r.RegisterActivityWithOptions(acts.RunHTTP, activity.RegisterOptions{Name: workflows.ActivityRunHTTP})
	r.RegisterActivityWithOptions(acts.PublishOutcome, activity.RegisterOptions{Name: workflows.ActivityPublishOutcome})
	r.RegisterActivityWithOptions(acts.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	r.RegisterActivityWithOptions(acts.AcquirePermit, activity.RegisterOptions{Name: workflows.ActivityAcquirePermit})
}

// WorkflowRegistry is a worker, a replayer, or a test environment.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// ActivityRegistry is a worker or a test environment.
type ActivityRegistry interface {
	RegisterActivityWithOptions(a interface{}, options activity.RegisterOptions)
}
