package rules

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecodeJSON(t *testing.T) {
	r, err := DecodeJSON([]byte(`{"ruleId":"r1","eventType":"order.*","taskType":"http",
	  "parameters":{"url":"http://svc/x","acceptStatus":[200]},"timeout":"30s",
	  "retry":{"maxAttempts":5,"initialInterval":2},"enabled":false,"version":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "r1" || r.Timeout.Std() != 30*time.Second || r.Retry.MaxAttempts != 5 ||
		r.Retry.InitialInterval.Std() != 2*time.Second || r.IsEnabled() || r.Version != 3 {
		t.Errorf("decoded %+v", r)
	}
	if _, err := Compile(r, nil); err != nil {
		t.Errorf("Compile(decoded) = %v", err)
	}
}

func TestDecodeJSONErrorsNameTheField(t *testing.T) {
	tests := []struct{ body, field, msg string }{
		{`{"ruleId":"r","conditon":"true"}`, "conditon", "unknown field"},
		{`{"ruleId":"r","timeout":"soon"}`, "timeout", `duration "soon"`},
		{`{"ruleId":"r","retry":{"maxAttempts":"x"}}`, "retry.maxAttempts", "want int32, got string"},
		{`{"ruleId":"r","retry":{"tries":3}}`, "retry.tries", "unknown field"},
		{`{"ruleId":7}`, "ruleId", "want string, got number"},
		{`[1]`, "", "want a JSON object"},
	}
	for _, tt := range tests {
		_, err := DecodeJSON([]byte(tt.body))
		var le *LoadError
		if !errors.As(err, &le) || le.Issues[0].Field != tt.field || !strings.Contains(le.Issues[0].Message, tt.msg) {
			t.Errorf("DecodeJSON(%s) = %v; want field %q with %q", tt.body, err, tt.field, tt.msg)
		}
	}
}

func TestCompileCELPositionInsideCondition(t *testing.T) {
	_, err := Compile(Rule{ID: "r", EventType: "x", TaskType: "shell", Condition: "payload.a > 1 &&\n  amount > 2",
		Parameters: map[string]any{"script": "/bin/true"}}, nil)
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v", err)
	}
	is := le.Issues[0]
	if is.Field != "condition" || is.Line != 2 || is.Column != 3 {
		t.Errorf("issue %+v, want condition at 2:3", is)
	}
	if want := `rule "r": condition:2:3: undeclared reference to 'amount'`; !strings.HasPrefix(is.String(), want) {
		t.Errorf("String() = %q, want prefix %q", is.String(), want)
	}
}

func TestCompiledRuleRoundTripsThroughJSON(t *testing.T) {
	c, err := Compile(Rule{ID: "r", EventType: "x", TaskType: "http", Parameters: map[string]any{
		"url": "http://svc/x", "timeout": 7, "body": map[string]any{"n": 1.5}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(c.Rule)
	r, err := DecodeJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Compile(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	data2, _ := json.Marshal(again.Rule)
	if string(data) != string(data2) {
		t.Errorf("round trip changed the rule:\n%s\n%s", data, data2)
	}
}
