package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// OutcomePublisher delivers task outcomes to downstream systems (the Kafka outcome topic).
type OutcomePublisher interface {
	PublishOutcome(ctx context.Context, o task.Outcome) error
}

// Evaluation is EvaluateRules' result: the rules' evaluation, and whether this worker publishes
// outcomes, so the workflow decides it from recorded history. The embedded Evaluation keeps the
// JSON flat: histories recorded before PublishOutcomes existed decode with it false.
type Evaluation struct {
	rules.Evaluation
	PublishOutcomes bool `json:"publishOutcomes,omitempty"`
	// Notify: a failure notification webhook is configured.
	Notify bool `json:"notify,omitempty"`
	// OperatorWait is how long a workflow with failed tasks waits for an operator; 0: it
	// compensates and fails at once.
	OperatorWait time.Duration `json:"operatorWait,omitempty"`
}

// PublishOutcome publishes o through the configured OutcomePublisher; it fails, non-retryably,
// when none is configured (the workflow only calls it when EvaluateRules said there is one).
func (a *Activities) PublishOutcome(ctx context.Context, o task.Outcome) error {
	if a.Outcomes == nil {
		return temporal.NewNonRetryableApplicationError("no outcome publisher configured", "NoOutcomePublisher", errors.New("outcomes off"))
	}
	return a.Outcomes.PublishOutcome(ctx, o)
}
