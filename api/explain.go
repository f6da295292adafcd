package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/workflows"
)

// explainTimeout bounds the queries to Temporal of one explain request.
const explainTimeout = 10 * time.Second

// explanation is the answer of GET /api/v1/events/{eventId}/explain.
type explanation struct {
	EventID    string `json:"eventId"`
	WorkflowID string `json:"workflowId"`
	EventType  string `json:"eventType"`
	// Evaluated is false while the workflow has not evaluated the rules yet.
	Evaluated bool `json:"evaluated"`
	// Verdicts: one per rule, by rule ID, each naming the rule version it concerns.
	Verdicts []rules.Verdict `json:"verdicts"`
}

// explain answers why each rule did or did not match an event. The workflow's explain record
// (its status query) gives the verdicts of the rules it evaluated: the candidates for the event's
// type, disabled ones included. Every other rule that existed when the workflow started (from
// the store's history, in its version of then; without a store, the live set) is added as
// type_mismatch. 404 when there is no workflow for the event ID.
func (s *server) explain(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	ctx, cancel := context.WithTimeout(r.Context(), explainTimeout)
	defer cancel()
	wfID := event.WorkflowID(id)
	desc, err := s.opts.Temporal.DescribeWorkflow(ctx, wfID, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		httpjson.WriteError(w, http.StatusNotFound, "no workflow for event "+id+" (workflow "+wfID+")")
		return
	case err != nil:
		s.temporalError(w, "describe workflow "+wfID, err)
		return
	}
	val, err := s.opts.Temporal.QueryWorkflow(ctx, wfID, "", workflows.QueryStatus)
	var st workflows.Status
	if err == nil {
		err = val.Get(&st)
	}
	if err != nil {
		s.temporalError(w, "query workflow "+wfID, err)
		return
	}
	out := explanation{EventID: id, WorkflowID: wfID, EventType: st.EventType, Evaluated: st.Evaluated,
		Verdicts: []rules.Verdict{}}
	if st.Evaluated {
		started := desc.RawResponse.GetWorkflowExecutionInfo().GetStartTime().AsTime()
		others, err := s.rulesAt(ctx, started)
		if err != nil {
			s.temporalError(w, "rules as of "+started.Format(time.RFC3339), err)
			return
		}
		out.Verdicts = withTypeMismatches(st.Verdicts, others)
	}
	httpjson.Write(w, http.StatusOK, out)
}

// rulesAt returns the rules as they were at t: from the store's history, or the live set.
func (s *server) rulesAt(ctx context.Context, t time.Time) ([]rules.Rule, error) {
	switch {
	case s.opts.Store != nil:
		return s.opts.Store.AsOf(ctx, t)
	case s.opts.Rules != nil:
		return s.opts.Rules.Current().Rules(), nil
	}
	return nil, nil
}

// withTypeMismatches adds a type_mismatch verdict for every rule of all that the workflow did
// not evaluate, and sorts by rule ID.
func withTypeMismatches(evaluated []rules.Verdict, all []rules.Rule) []rules.Verdict {
	out := slices.Clone(evaluated)
	for _, r := range all {
		if !slices.ContainsFunc(evaluated, func(v rules.Verdict) bool { return v.RuleID == r.ID }) {
			out = append(out, rules.Verdict{RuleID: r.ID, Version: r.Version, Outcome: rules.OutcomeTypeMismatch})
		}
	}
	slices.SortFunc(out, func(a, b rules.Verdict) int { return strings.Compare(a.RuleID, b.RuleID) })
	return out
}

// temporalError answers a failed Temporal call: 503 when Temporal is unreachable or slow.
func (s *server) temporalError(w http.ResponseWriter, what string, err error) {
	s.opts.Logger.Warn("explain", "what", what, "error", err)
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, new(*serviceerror.Unavailable)) ||
		errors.As(err, new(*serviceerror.DeadlineExceeded)) {
		w.Header().Set("Retry-After", "5")
		httpjson.WriteError(w, http.StatusServiceUnavailable, what+": "+err.Error())
		return
	}
	httpjson.WriteError(w, http.StatusInternalServerError, what+": "+err.Error())
}
