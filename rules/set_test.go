package rules

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// setRules covers every outcome for an order.created event; z-other would fail if it were
// evaluated for one.
const setRules = `taskTriggerRules:
  - {ruleId: h-high, eventType: "#", priority: HIGH, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: b-low, eventType: order.*, priority: LOW, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: a-high, eventType: order.created, priority: HIGH, condition: "payload.amount > 1000", taskName: big,
     timeout: 30s, retry: {maxAttempts: 5}, version: 2,
     taskType: shell, parameters: {script: /bin/echo, args: ["${payload.orderId}"]}}
  - {ruleId: c-medium, eventType: order.#, taskType: http, parameters: {url: "http://svc/${payload.orderId}"}}
  - {ruleId: d-disabled, eventType: order.created, enabled: false, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: e-false, eventType: order.created, condition: "payload.amount < 0", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: f-error, eventType: order.created, condition: "payload.nope > 1", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: g-render, eventType: order.created, taskType: shell, parameters: {script: /bin/echo, args: ["${payload.nope}"]}}
  - {ruleId: y-star, eventType: "*.paid", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: z-other, eventType: payment.completed, condition: "payload.nope > 1", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: only-disabled, eventType: ship.sent, enabled: false, taskType: shell, parameters: {script: /bin/true}}
`

func loadSet(t *testing.T) *Set {
	t.Helper()
	cs, err := Parse("set.yaml", []byte(setRules), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return NewSet(cs)
}

// orderEvent is an order.created event of amount 1500.5.
func orderEvent() event.Event {
	return event.Event{ID: "e1", Type: "order.created",
		Payload: map[string]any{"orderId": "A-1", "amount": json.Number("1500.5")}}
}

func TestSetEvaluate(t *testing.T) {
	e := loadSet(t).Evaluate(t.Context(), orderEvent())
	wantVerdicts := []Verdict{
		{RuleID: "a-high", Version: 2, Outcome: OutcomeMatched},
		{RuleID: "b-low", Version: 1, Outcome: OutcomeMatched},
		{RuleID: "c-medium", Version: 1, Outcome: OutcomeMatched},
		{RuleID: "d-disabled", Version: 1, Outcome: OutcomeDisabled},
		{RuleID: "e-false", Version: 1, Outcome: OutcomeConditionFalse},
		{RuleID: "f-error", Version: 1, Outcome: OutcomeConditionError, Message: "no such key: nope"},
		{RuleID: "g-render", Version: 1, Outcome: OutcomeRenderError, Message: `${payload.nope}: payload has no field "nope"`},
		{RuleID: "h-high", Version: 1, Outcome: OutcomeMatched},
	}
	if !reflect.DeepEqual(e.Verdicts, wantVerdicts) {
		t.Errorf("Verdicts =\n%+v\nwant\n%+v", e.Verdicts, wantVerdicts)
	}
	var order []string
	for _, m := range e.Matched {
		order = append(order, m.RuleID)
	}
	if want := []string{"a-high", "h-high", "c-medium", "b-low"}; !slices.Equal(order, want) {
		t.Errorf("Matched order = %v, want %v", order, want)
	}
	wantFirst := Match{RuleID: "a-high", Version: 2, TaskName: "big", Priority: event.PriorityHigh,
		Task:    task.Spec{Type: task.TypeShell, Shell: &task.Shell{Script: "/bin/echo", Args: []string{"A-1"}}},
		Timeout: 30 * time.Second,
		Retry:   RetryPolicy{MaxAttempts: 5, InitialInterval: time.Second, Backoff: 2, MaxInterval: time.Minute}}
	if !reflect.DeepEqual(e.Matched[0], wantFirst) {
		t.Errorf("Matched[0] =\n%+v\nwant\n%+v", e.Matched[0], wantFirst)
	}
	if m := e.Matched[2]; m.Task.HTTP == nil || m.Task.HTTP.URL != "http://svc/A-1" || m.Timeout != DefaultTimeout {
		t.Errorf("c-medium match = %+v, want url http://svc/A-1 and the default timeout", m)
	}
}

func TestSetIndexSkipsOtherTypes(t *testing.T) {
	s := loadSet(t)
	e := s.Evaluate(t.Context(), event.Event{ID: "e2", Type: "payment.completed", Payload: map[string]any{"nope": 5}})
	want := []Verdict{
		{RuleID: "h-high", Version: 1, Outcome: OutcomeMatched},
		{RuleID: "z-other", Version: 1, Outcome: OutcomeMatched},
	}
	if !reflect.DeepEqual(e.Verdicts, want) {
		t.Errorf("payment.completed verdicts = %+v, want %+v", e.Verdicts, want)
	}
	// z-other's condition errors without payload.nope: were it evaluated for an order event,
	// TestSetEvaluate would see its condition_error. Evaluate never names it for that type.
	for _, v := range s.Evaluate(t.Context(), orderEvent()).Verdicts {
		if v.RuleID == "z-other" || v.RuleID == "y-star" {
			t.Errorf("rule %s of another type was evaluated: %+v", v.RuleID, v)
		}
	}
}

// TestSetCandidatesMatchEveryPattern checks the index against matching every rule's pattern:
// the same candidates, by ID, for types that hit literal-first, wildcard-first and exact rules.
func TestSetCandidatesMatchEveryPattern(t *testing.T) {
	var rules []*Compiled
	for i, typ := range []string{"order.created", "order.*", "order.#", "*.created", "#", "#.paid", "*.*",
		"order", "orders.*", "a.b.c", "a.*.c", "a.#.c", "*", "order.created.#", "x.order.created"} {
		c, err := Compile(Rule{ID: fmt.Sprintf("r%02d", 14-i), EventType: typ, TaskType: "shell",
			Parameters: map[string]any{"script": "/bin/true"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, c)
	}
	s := NewSet(rules)
	for _, typ := range []string{"order.created", "order", "order.paid", "a.b.c", "a.c", "a.x.y.c", "x.created",
		"orders.created", "order.created.v2", "x.order.created", "zzz", "x.y.z.paid"} {
		var want []string
		for _, c := range s.rules {
			if c.MatchesType(typ) {
				want = append(want, c.Rule.ID)
			}
		}
		var got []string
		for _, c := range s.candidates(nil, typ) {
			got = append(got, c.Rule.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("candidates(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestSetExplain(t *testing.T) {
	e := loadSet(t).Explain(t.Context(), orderEvent())
	got := map[string]Outcome{}
	var ids []string
	for _, v := range e.Verdicts {
		got[v.RuleID] = v.Outcome
		ids = append(ids, v.RuleID)
	}
	if !slices.IsSorted(ids) || len(ids) != 11 {
		t.Errorf("Explain verdict IDs = %v, want all 11 rules sorted", ids)
	}
	for id, want := range map[string]Outcome{"y-star": OutcomeTypeMismatch, "z-other": OutcomeTypeMismatch,
		"only-disabled": OutcomeTypeMismatch, "f-error": OutcomeConditionError, "a-high": OutcomeMatched} {
		if got[id] != want {
			t.Errorf("Explain %s = %q, want %q", id, got[id], want)
		}
	}
	if len(e.Matched) != 4 {
		t.Errorf("Explain matched %d rules, want 4 as Evaluate", len(e.Matched))
	}
}

func TestSetMayMatch(t *testing.T) {
	without := func(cs []*Compiled, id string) []*Compiled {
		return slices.DeleteFunc(slices.Clone(cs), func(c *Compiled) bool { return c.Rule.ID == id })
	}
	cs, err := Parse("set.yaml", []byte(setRules), nil)
	if err != nil {
		t.Fatal(err)
	}
	withHash, noHash := NewSet(cs), NewSet(without(cs, "h-high"))
	tests := []struct {
		name    string
		set     *Set
		input   string
		wantOut bool
	}{
		{"exact", noHash, "order.created", true},
		{"other exact", noHash, "payment.completed", true},
		{"order.# with zero segments", noHash, "order", true},
		{"order.# deep", noHash, "order.created.eu", true},
		{"*.paid", noHash, "invoice.paid", true},
		{"no rule", noHash, "user.signup", false},
		{"only a disabled rule", noHash, "ship.sent", false},
		{"# matches everything", withHash, "user.signup", true},
		{"empty set", NewSet(nil), "order.created", false},
		{"nil set", nil, "order.created", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.set.MayMatch(tt.input); got != tt.wantOut {
				t.Errorf("MayMatch(%q) = %v, want %v", tt.input, got, tt.wantOut)
			}
		})
	}
}

func TestSetDeterministic(t *testing.T) {
	cs, err := Parse("set.yaml", []byte(setRules), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := NewSet(cs).Evaluate(t.Context(), orderEvent())
	for i := range 20 {
		shuffled := slices.Clone(cs)
		slices.Reverse(shuffled)
		shuffled[0], shuffled[i%len(shuffled)] = shuffled[i%len(shuffled)], shuffled[0]
		if got := NewSet(shuffled).Evaluate(t.Context(), orderEvent()); !reflect.DeepEqual(got, want) {
			t.Fatalf("evaluation %d differs:\n%+v\nwant\n%+v", i, got, want)
		}
	}
}

func TestSetAccessors(t *testing.T) {
	s := loadSet(t)
	if s.Len() != 11 {
		t.Errorf("Len = %d, want 11", s.Len())
	}
	rules := s.Rules()
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	if !slices.IsSorted(ids) || ids[0] != "a-high" {
		t.Errorf("Rules IDs = %v, want sorted", ids)
	}
	if got := NewStatic(s).Current(); got != s {
		t.Errorf("Static.Current = %p, want %p", got, s)
	}
	var src Source = NewStatic(nil)
	if src.Current() == nil || src.Current().Len() != 0 {
		t.Errorf("NewStatic(nil).Current() = %v, want an empty set", src.Current())
	}
	var nilSet *Set
	if e := nilSet.Evaluate(t.Context(), orderEvent()); e.Matched == nil || e.Verdicts == nil || len(e.Verdicts) != 0 {
		t.Errorf("nil set Evaluate = %+v, want empty non-nil slices", e)
	}
	dup := NewSet([]*Compiled{s.rules[0], s.rules[0], nil})
	if dup.Len() != 1 {
		t.Errorf("NewSet with a repeated rule: Len = %d, want 1", dup.Len())
	}
}

func TestSetConcurrentEvaluate(t *testing.T) {
	s := loadSet(t)
	want := s.Evaluate(t.Context(), orderEvent())
	done := make(chan Evaluation)
	for range 8 {
		go func() { done <- s.Evaluate(t.Context(), orderEvent()) }()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Errorf("concurrent Evaluate = %+v, want %+v", got, want)
		}
	}
}
