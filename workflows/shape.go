package workflows

import "go.temporal.io/sdk/workflow"

// Shape names the changes to EventWorkflow an execution was started with. The ingress passes
// CurrentShape in the workflow's input, so a new execution takes each of those changes without
// asking workflow.GetVersion. Asking costs, per change, a version marker and an upsert of the
// TemporalChangeVersion search attribute: two history events and a visibility write, which on
// a busy server is most of what an event costs beyond its start. The input is in the history,
// so a replay takes the same branches.
//
// An execution started without a shape (ShapeVersioned: before shapes existed, by a schedule,
// by an older ingress) asks workflow.GetVersion at each change, as every execution did before.
// A change added later asks too (its inShape is ShapeVersioned) until a new shape includes it;
// that shape then becomes CurrentShape. A shape never changes once released.
type Shape int

const (
	// ShapeVersioned asks workflow.GetVersion at each change.
	ShapeVersioned Shape = 0
	// Shape1 includes the MatchedRules upsert, local short tasks, operator control and rule
	// limits, each at version 1.
	Shape1 Shape = 1
	// CurrentShape is the shape the ingress starts executions with.
	CurrentShape = Shape1
)

// change is one versioned change to EventWorkflow's code.
type change struct {
	id      string           // the workflow.GetVersion change ID
	version workflow.Version // the change's current version
	inShape Shape            // the first shape that includes it at version; ShapeVersioned: none yet
}

// The changes to EventWorkflow, oldest first.
var (
	// changeSearchAttributes: the MatchedRules upsert (histories recorded before it replay
	// without it).
	changeSearchAttributes = change{"search-attributes", 1, Shape1}
	// changeLocalTasks: short HTTP tasks run as local activities.
	changeLocalTasks = change{"local-tasks", 1, Shape1}
	// changeOperatorControl: waiting for an operator and compensating after a permanent failure.
	changeOperatorControl = change{"operator-control", 1, Shape1}
	// changeRuleLimits: acquiring a permit from the rule's limiter before a task whose match has
	// Limits. It is only reached for such matches, which histories recorded before limits
	// existed never have.
	changeRuleLimits = change{"rule-limits", 1, Shape1}
)

type shapeKey struct{}

// withShape returns ctx carrying the execution's shape for versionOf.
func withShape(ctx workflow.Context, s Shape) workflow.Context {
	return workflow.WithValue(ctx, shapeKey{}, s)
}

// versionOf returns the version of c this execution runs: c.version when its shape includes
// c, otherwise what workflow.GetVersion says (DefaultVersion for a history recorded before c).
func versionOf(ctx workflow.Context, c change) workflow.Version {
	if s, _ := ctx.Value(shapeKey{}).(Shape); c.inShape != ShapeVersioned && s >= c.inShape {
		return c.version
	}
	return workflow.GetVersion(ctx, c.id, workflow.DefaultVersion, c.version)
}
