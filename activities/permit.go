package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/workflows"
)

// AcquirePermit hands req to its rule's limiter workflow (workflows.LimiterWorkflowID), starting
// the limiter on req.TaskQueue when none runs: one SignalWithStartWorkflow. Run twice, it sends
// the request twice; the limiter ignores the second. It fails non-retryably when the activities
// have no Temporal client.
func (a *Activities) AcquirePermit(ctx context.Context, req workflows.PermitRequest) error {
	if a.Temporal == nil {
		return temporal.NewNonRetryableApplicationError("rule limits need a worker with a Temporal client", "NoTemporalClient", nil)
	}
	id := workflows.LimiterWorkflowID(req.RuleID)
	opts := client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: req.TaskQueue,
		// The limiter's workflow tasks go before a backlog of event workflows.
		Priority: temporal.Priority{PriorityKey: 1},
	}
	start := workflows.LimiterState{RuleID: req.RuleID}
	if _, err := a.Temporal.SignalWithStartWorkflow(ctx, id, workflows.SignalAcquirePermit, req, opts,
		workflows.LimiterWorkflowName, start); err != nil {
		return fmt.Errorf("signal limiter %s: %w", id, err)
	}
	return nil
}
