package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
)

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    RateLimit
		wantErr string
	}{
		{"10/s", RateLimit{10, time.Second, 0}, ""},
		{" 5 / m ", RateLimit{5, time.Minute, 0}, ""},
		{"100/hour burst 10", RateLimit{100, time.Hour, 10}, ""},
		{"1/SEC", RateLimit{1, time.Second, 0}, ""},
		{"10", RateLimit{}, `want "N/s"`},
		{"10/d", RateLimit{}, `unknown unit "d"`},
		{"0/s", RateLimit{}, "want a whole number of starts from 1 to 100000"},
		{"-1/s", RateLimit{}, "want a whole number"},
		{"2.5/s", RateLimit{}, "want a whole number"},
		{"100001/s", RateLimit{}, "want a whole number"},
		{"5/s burst 6", RateLimit{}, "want a burst from 1 to 5"},
		{"5/s burst", RateLimit{}, "want a burst from 1 to 5"},
	}
	for _, tt := range tests {
		got, err := ParseRateLimit(tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseRateLimit(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseRateLimit(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
		}
	}
	if s := (RateLimit{5, time.Second, 0}).String(); s != "5/s" {
		t.Errorf("String = %q, want 5/s", s)
	}
	if s := (RateLimit{100, time.Hour, 10}).String(); s != "100/h burst 10" {
		t.Errorf("String = %q, want 100/h burst 10", s)
	}
	if i := (RateLimit{Count: 3, Per: time.Second}).Interval(); i != 333333334 {
		t.Errorf("Interval of 3/s = %d ns, want 333333334 (rounded up)", i)
	}
}

// TestLimitsValidation: bad concurrency and rateLimit values are refused at their line and
// column in the file.
func TestLimitsValidation(t *testing.T) {
	const rule = "taskTriggerRules:\n  - ruleId: r\n    eventType: x\n    taskType: shell\n    " + shellParams + "\n"
	tests := []struct {
		name, field string
		wantIssue   string // "field: message" prefix; "" for none
		line, col   int
	}{
		{"cap and rate", "concurrency: 2\n    rateLimit: 10/s", "", 0, 0},
		{"zero concurrency", "concurrency: 0", "concurrency: want concurrency from 1 to 10000", 6, 18},
		{"negative concurrency", "concurrency: -3", "concurrency: want concurrency from 1", 6, 18},
		{"huge concurrency", "concurrency: 10001", "concurrency: want concurrency from 1", 6, 18},
		{"concurrency not a number", "concurrency: many", `concurrency: want an integer, got "many"`, 6, 18},
		{"rate without unit", "rateLimit: '10'", `rateLimit: want "N/s"`, 6, 16},
		{"rate unit unknown", "rateLimit: 10/d", `rateLimit: unknown unit "d"`, 6, 16},
		{"rate zero", "rateLimit: 0/s", "rateLimit: want a whole number of starts", 6, 16},
		{"rate empty", "rateLimit: ''", `rateLimit: want "N/s"`, 6, 16},
		{"rate a list", "rateLimit: [1]", "rateLimit: want a string, got a list", 6, 16},
	}
	env := testEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(rule+"    "+tt.field+"\n"), env)
			if tt.wantIssue == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			var le *LoadError
			if !errors.As(err, &le) || len(le.Issues) != 1 {
				t.Fatalf("Parse = %v, want one issue %q", err, tt.wantIssue)
			}
			is := le.Issues[0]
			if got := is.Field + ": " + is.Message; !strings.HasPrefix(got, tt.wantIssue) || is.Line != tt.line || is.Column != tt.col {
				t.Errorf("issue %q at %d:%d, want %q at %d:%d", got, is.Line, is.Column, tt.wantIssue, tt.line, tt.col)
			}
		})
	}
}

// TestLimitsFromJSON: the API's JSON form takes the same fields and Compile checks them.
func TestLimitsFromJSON(t *testing.T) {
	r, err := DecodeJSON([]byte(`{"ruleId":"r","eventType":"x","taskType":"http","parameters":{"url":"http://svc/x"},` +
		`"concurrency":3,"rateLimit":"20/m"}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rule.Concurrency != 3 || c.Rule.RateLimit != "20/m" {
		t.Errorf("compiled rule %+v", c.Rule)
	}
	if _, err := DecodeJSON([]byte(`{"concurrency":"two"}`)); err == nil || !strings.Contains(err.Error(), "concurrency: want int") {
		t.Errorf("DecodeJSON(concurrency string) = %v, want a concurrency error", err)
	}
	r.Concurrency = -1
	if _, err := Compile(r, nil); err == nil || !strings.Contains(err.Error(), "concurrency: want concurrency from 1") {
		t.Errorf("Compile(concurrency -1) = %v", err)
	}
}

// TestMatchCarriesLimits: a match records the rule's limits (nil without any), so the event's
// history holds the limits it ran under.
func TestMatchCarriesLimits(t *testing.T) {
	cs, err := Parse("t.yaml", []byte(`
- {ruleId: capped, eventType: x, taskType: shell, concurrency: 2, rateLimit: 5/s, `+shellParams+`}
- {ruleId: free, eventType: x, taskType: shell, `+shellParams+`}
`), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	e := NewSet(cs).Evaluate(t.Context(), event.Event{ID: "e", Type: "x"})
	if len(e.Matched) != 2 {
		t.Fatalf("matched %+v", e.Matched)
	}
	capped, free := e.Matched[0], e.Matched[1]
	if capped.Limits == nil || capped.Limits.Concurrency != 2 || *capped.Limits.Rate != (RateLimit{5, time.Second, 0}) {
		t.Errorf("capped limits %+v", capped.Limits)
	}
	if free.Limits != nil {
		t.Errorf("free limits %+v, want nil", free.Limits)
	}
}
