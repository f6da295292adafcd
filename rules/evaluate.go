package rules

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// evaluate runs the candidate rules, sorted by ID, against one event: first every condition,
// then the renders of the rules whose condition held, into a slice of the right size.
func evaluate(ctx context.Context, ev *event.Event, cands []*Compiled) Evaluation {
	b := newBinding(ev)
	defer b.release()
	out := Evaluation{Verdicts: make([]Verdict, len(cands))}
	held, heldHTTP := 0, 0
	for i, c := range cands {
		out.Verdicts[i] = c.decide(ctx, &b.act)
		if out.Verdicts[i].Outcome == OutcomeMatched {
			held++
			if c.task.http != nil {
				heldHTTP++
			}
		}
	}
	out.Matched = make([]Match, 0, held)
	if heldHTTP > 1 {
		renderInRoom(&out, cands, &values{ev: &b.ev}, heldHTTP)
	} else {
		for i, c := range cands {
			out.addMatch(i, c, &values{ev: &b.ev}, nil, nil)
		}
	}
	// The matches are by rule ID already (IDs are unique in a set), so a stable sort by
	// priority orders them by priority, then rule ID; usually they are in that order already.
	if !byPriority(out.Matched) {
		slices.SortStableFunc(out.Matched, func(a, b Match) int {
			return cmp.Compare(priorityRank(a.Priority), priorityRank(b.Priority))
		})
	}
	return out
}

// renderInRoom renders the matches of the candidates whose condition held, heldHTTP > 1 of them
// with an HTTP task, in a taskRoom: their HTTP tasks allocated together, their JSON bodies one
// string, and a placeholder several bodies use looked up once.
func renderInRoom(out *Evaluation, cands []*Compiled, vals *values, heldHTTP int) {
	room := taskRoom{https: make([]task.HTTP, heldHTTP)}
	var bodies [1024]byte // on the stack: the JSON bodies, until they become one string
	buf := bodies[:0]
	for i, c := range cands {
		buf = out.addMatch(i, c, vals, &room, buf)
	}
	room.finish(buf)
}

// addMatch renders the match of candidate i, c, when its condition held (see match), and appends
// it to e.Matched; when the render fails, the candidate's verdict becomes render_error. It
// returns buf.
func (e *Evaluation) addMatch(i int, c *Compiled, vals *values, room *taskRoom, buf []byte) []byte {
	v := &e.Verdicts[i]
	if v.Outcome != OutcomeMatched {
		return buf
	}
	e.Matched = append(e.Matched, Match{})
	buf, err := c.match(&e.Matched[len(e.Matched)-1], vals, room, buf)
	if err != nil {
		e.Matched = e.Matched[:len(e.Matched)-1]
		v.Outcome, v.Message = OutcomeRenderError, err.Error()
	}
	return buf
}

// binding holds what the conditions of one event see: a copy of the event and the CEL
// activation reading it. Bindings are reused (newBinding, release): nothing an evaluation
// returns refers to its binding, and CEL lets go of the activation when an evaluation ends.
type binding struct {
	ev  event.Event
	act activation
}

// bindings holds released bindings for reuse.
var bindings = sync.Pool{New: func() any { return new(binding) }}

// newBinding binds a copy of ev. Release the binding when done with it.
func newBinding(ev *event.Event) *binding {
	b := bindings.Get().(*binding)
	b.ev = *ev
	b.act = activation{ev: &b.ev}
	return b
}

// release clears b, so that it holds on to nothing of the event, and puts it up for reuse.
func (b *binding) release() {
	b.ev, b.act = event.Event{}, activation{}
	bindings.Put(b)
}

// decide evaluates one candidate rule's condition: its Verdict, with the outcome matched when
// the rule is enabled and its condition holds (match then renders its task).
func (c *Compiled) decide(ctx context.Context, act *activation) Verdict {
	v := Verdict{RuleID: c.Rule.ID, Version: c.Rule.Version, Outcome: OutcomeMatched}
	if !c.Rule.IsEnabled() {
		v.Outcome = OutcomeDisabled
		return v
	}
	ok, err := c.holds(ctx, act)
	switch {
	case err != nil:
		v.Outcome, v.Message = OutcomeConditionError, err.Error()
	case !ok:
		v.Outcome = OutcomeConditionFalse
	}
	return v
}

// match fills m for a rule whose condition held, rendering its task in room (a JSON body
// appended to buf, which it returns) and its compensation; it fails when a render does.
func (c *Compiled) match(m *Match, vals *values, room *taskRoom, buf []byte) ([]byte, error) {
	spec, buf, err := c.task.renderIn(vals, room, buf)
	if err != nil {
		return buf, err
	}
	var comp *CompensationTask
	if c.comp != nil {
		if comp, err = c.comp.render(vals); err != nil {
			return buf, err
		}
	}
	*m = Match{
		RuleID: c.Rule.ID, Version: c.Rule.Version, TaskName: c.Rule.TaskName,
		Priority: c.Rule.Priority, Task: spec, Timeout: c.Rule.Timeout.Std(), Retry: c.Rule.Retry.policy(),
		Compensation: comp, Ordered: c.orderBy != nil, Limits: c.limits,
	}
	return buf, nil
}

// Render returns the rule's task rendered for ev, without evaluating the condition. It fails,
// naming the placeholder, when a field is missing or a rendered URL or header is unacceptable.
// The task is read-only, as Match.Task is.
func (c *Compiled) Render(ev event.Event) (task.Spec, error) {
	return c.task.render(&values{ev: &ev})
}

// MatchesType reports whether the rule's eventType matches eventType.
func (c *Compiled) MatchesType(eventType string) bool { return c.pattern.match(eventType) }

// byPriority reports whether ms are in priority order, HIGH first.
func byPriority(ms []Match) bool {
	for i := 1; i < len(ms); i++ {
		if priorityRank(ms[i].Priority) < priorityRank(ms[i-1].Priority) {
			return false
		}
	}
	return true
}

// priorityRank orders priorities, HIGH first; anything unknown last.
func priorityRank(p event.Priority) int {
	switch p {
	case event.PriorityHigh:
		return 0
	case event.PriorityMedium:
		return 1
	case event.PriorityLow:
		return 2
	}
	return 3
}
