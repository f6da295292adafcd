package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// testRequest is the body of the dry run: a rule, or the ID of a stored rule, and an event.
type testRequest struct {
	Rule         json.RawMessage `json:"rule"`
	RuleID       string          `json:"ruleId"`
	EventMessage json.RawMessage `json:"eventMessage"`
}

// testResult is the dry run's answer: whether the rule matches the event, its rendered task
// when it does, and why not when it does not. Nothing runs.
type testResult struct {
	Matched bool          `json:"matched"`
	Verdict rules.Verdict `json:"verdict"`
	// Reason says why the rule did not match; empty when it did.
	Reason  string       `json:"reason,omitempty"`
	Task    *task.Spec   `json:"task,omitempty"`
	Timeout string       `json:"timeout,omitempty"`
	Retry   *rules.Retry `json:"retry,omitempty"`
	EventID string       `json:"eventId"`
}

// testRule is POST /api/v1/task-trigger-rules/test: it compiles the rule (400 naming the field
// as on save, prefixed "rule."), or takes the stored rule ruleId (404 when there is none),
// parses the event (400 naming the field, prefixed "eventMessage.") and evaluates one against
// the other.
func (s *server) testRule(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	var req testRequest
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if derr := dec.Decode(&req); derr != nil {
			err = &badRequest{msg: "want {\"rule\": {...}, \"eventMessage\": {...}}: " + derr.Error()}
		}
	}
	if err == nil && ((len(req.Rule) == 0) == (req.RuleID == "") || len(req.EventMessage) == 0) {
		err = &badRequest{msg: "want eventMessage and either rule or ruleId"}
	}
	var c *rules.Compiled
	if err == nil {
		var rule rules.Rule
		if rule, err = s.testedRule(r, req); err == nil {
			c, err = rules.Compile(rule, s.opts.Env)
		}
	}
	if err != nil {
		s.writeRuleError(w, err, "rule.")
		return
	}
	ev, err := event.Parse(req.EventMessage, event.Options{DefaultID: event.ContentID})
	if err != nil {
		var verr *event.ValidationError
		field := "eventMessage"
		if errors.As(err, &verr) && verr.Field != "" {
			field += "." + verr.Field
		}
		httpjson.Write(w, http.StatusBadRequest, httpjson.Error{Error: err.Error(), Field: field})
		return
	}
	httpjson.Write(w, http.StatusOK, dryRun(r, c, ev))
}

// testedRule is the request's rule, or the stored rule it names.
func (s *server) testedRule(r *http.Request, req testRequest) (rules.Rule, error) {
	if req.RuleID == "" {
		return rules.DecodeJSON(req.Rule)
	}
	if s.opts.Store == nil {
		return rules.Rule{}, &badRequest{field: "ruleId", msg: "this server has no rule store: send the rule itself"}
	}
	rec, err := s.opts.Store.Get(r.Context(), req.RuleID)
	return rec.Rule, err
}

// dryRun evaluates one compiled rule against ev.
func dryRun(r *http.Request, c *rules.Compiled, ev event.Event) testResult {
	eval := rules.NewSet([]*rules.Compiled{c}).Explain(r.Context(), ev)
	v := eval.Verdicts[0]
	out := testResult{Verdict: v, EventID: ev.ID}
	if len(eval.Matched) == 1 {
		m := eval.Matched[0]
		out.Matched, out.Task, out.Timeout = true, &m.Task, m.Timeout.String()
		out.Retry = &rules.Retry{MaxAttempts: m.Retry.MaxAttempts, InitialInterval: rules.Duration(m.Retry.InitialInterval),
			Backoff: m.Retry.Backoff, MaxInterval: rules.Duration(m.Retry.MaxInterval)}
		return out
	}
	out.Reason = reason(v, c.Rule, ev)
	return out
}

// reason says in words why a rule did not match.
func reason(v rules.Verdict, r rules.Rule, ev event.Event) string {
	switch v.Outcome {
	case rules.OutcomeTypeMismatch:
		return fmt.Sprintf("type_mismatch: event type %q does not match eventType %q", ev.Type, r.EventType)
	case rules.OutcomeConditionFalse:
		return fmt.Sprintf("condition_false: %s is false for this event", r.Condition)
	case rules.OutcomeDisabled:
		return "disabled: the rule is disabled"
	}
	return string(v.Outcome) + ": " + v.Message
}
