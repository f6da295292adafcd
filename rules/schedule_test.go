package rules

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in      string
		want    ScheduleSpec
		wantErr string // a substring of the error; "" for none
	}{
		{in: "@every 2s", want: ScheduleSpec{Every: 2 * time.Second}},
		{in: " @every 1h30m ", want: ScheduleSpec{Every: 90 * time.Minute}},
		{in: "@every 500ms", wantErr: "at least 1s"},
		{in: "@every soon", wantErr: `want a duration such as 30s or 1h, got "soon"`},
		{in: "*/5 * * * *", want: ScheduleSpec{Cron: "*/5 * * * *"}},
		{in: "0  9 * *   MON-FRI", want: ScheduleSpec{Cron: "0 9 * * MON-FRI"}},
		{in: "15,45 0-6/2 1 jan,Jul 0", want: ScheduleSpec{Cron: "15,45 0-6/2 1 jan,Jul 0"}},
		{in: "@Daily", want: ScheduleSpec{Cron: "0 0 * * *"}},
		{in: "@hourly", want: ScheduleSpec{Cron: "0 * * * *"}},
		{in: "@often", wantErr: `unknown schedule "@often"`},
		{in: "* * * *", wantErr: "has 4 fields: want 5"},
		{in: "0 0 * * * *", wantErr: "has 6 fields: want 5"},
		{in: "60 * * * *", wantErr: `minute field "60": value "60": want 0-59`},
		{in: "* 24 * * *", wantErr: `hour field "24": value "24": want 0-23`},
		{in: "* * 0 * *", wantErr: `day-of-month field "0": value "0": want 1-31`},
		{in: "* * * FOO *", wantErr: `month field "FOO": value "FOO": want 1-12 or JAN-DEC`},
		{in: "* * * * 7", wantErr: `day-of-week field "7": value "7": want 0-6 or SUN-SAT`},
		{in: "*/0 * * * *", wantErr: `step "0": want a whole number >= 1`},
		{in: "30-10 * * * *", wantErr: `range "30-10" ends before it starts`},
		{in: "", wantErr: "has 0 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSchedule(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestScheduledRuleEventType: a scheduled rule's eventType is filled in, or must be the one
// its schedule emits; a bad schedule is reported at its position in the file.
func TestScheduledRuleEventType(t *testing.T) {
	const rest = "taskType: shell, parameters: {script: /bin/true}"
	got, err := Parse("r.yaml", []byte("- {ruleId: nightly, schedule: '@every 1m', "+rest+"}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := got[0].Rule; r.EventType != "schedule.nightly" || r.Schedule != "@every 1m" {
		t.Errorf("eventType %q, schedule %q; want schedule.nightly, @every 1m", r.EventType, r.Schedule)
	}
	if _, err := Parse("r.yaml", []byte("- {ruleId: nightly, eventType: schedule.nightly, schedule: '@daily', "+rest+"}"), nil); err != nil {
		t.Errorf("the eventType it emits: %v", err)
	}

	_, err = Parse("r.yaml", []byte("- {ruleId: nightly, eventType: order.created, schedule: '@daily', "+rest+"}"), nil)
	wantIssue(t, err, `r.yaml:1:32: rule "nightly": eventType: a rule with a schedule has eventType "schedule.nightly" (leave it out), got "order.created"`)

	_, err = Parse("r.yaml", []byte("taskTriggerRules:\n  - ruleId: nightly\n    schedule: '61 * * * *'\n    "+
		strings.ReplaceAll(rest, ", ", "\n    ")+"\n"), nil)
	wantIssue(t, err, `r.yaml:3:15: rule "nightly": schedule: cron expression "61 * * * *": minute field "61": value "61": want 0-59`)
}

// TestScheduleFromJSON: the API's JSON form carries the schedule too.
func TestScheduleFromJSON(t *testing.T) {
	r, err := DecodeJSON([]byte(`{"ruleId":"tick","schedule":"@every 2s","taskType":"shell","parameters":{"script":"/bin/true"}}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(c.Rule)
	if !strings.Contains(string(out), `"eventType":"schedule.tick","schedule":"@every 2s"`) {
		t.Errorf("compiled rule %s lacks its event type and schedule", out)
	}
}

func wantIssue(t *testing.T, err error, want string) {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) || len(le.Issues) != 1 || le.Issues[0].String() != want {
		t.Errorf("error %v\nwant the one issue %s", err, want)
	}
}
