package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScheduleEventPrefix starts the event type of a scheduled rule's synthetic events:
// ScheduleEventPrefix + ruleId.
const ScheduleEventPrefix = "schedule."

// MinScheduleInterval is the shortest "@every" interval a rule may ask for.
const MinScheduleInterval = time.Second

// ScheduleEventType is the event type of the synthetic events of the scheduled rule ruleID,
// "schedule.<ruleID>": the eventType such a rule must have (it is filled in when empty).
func ScheduleEventType(ruleID string) string { return ScheduleEventPrefix + ruleID }

// ScheduleSpec is a parsed rule schedule: either Every (an "@every" interval) or Cron (five
// fields, a macro expanded into them), never both.
type ScheduleSpec struct {
	// Every is the interval of "@every <duration>"; 0 for a cron schedule.
	Every time.Duration
	// Cron is "minute hour day-of-month month day-of-week", single-spaced; empty for Every.
	Cron string
}

// cronMacros are the cron macros accepted, as five fields.
var cronMacros = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

// ParseSchedule parses a rule's schedule: "@every <duration>" (Go syntax such as 30s or 1h30m,
// at least MinScheduleInterval), a five-field cron expression "minute hour day-of-month month
// day-of-week" (each field *, a value, a range a-b, a list a,b,c, with an optional /step;
// months JAN-DEC and weekdays SUN-SAT may be written by name; weekday 0 is Sunday), or one of
// the macros @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly. Cron
// expressions are evaluated in UTC.
func ParseSchedule(s string) (ScheduleSpec, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "@every"); ok {
		return parseEvery(strings.TrimSpace(rest))
	}
	if strings.HasPrefix(s, "@") {
		cron, ok := cronMacros[strings.ToLower(s)]
		if !ok {
			return ScheduleSpec{}, fmt.Errorf("unknown schedule %q: want \"@every <duration>\", a five-field cron expression "+
				"or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly", s)
		}
		return ScheduleSpec{Cron: cron}, nil
	}
	fields := strings.Fields(s)
	if len(fields) != len(cronFields) {
		return ScheduleSpec{}, fmt.Errorf("cron expression %q has %d fields: want 5 (minute hour day-of-month month day-of-week) "+
			"or \"@every <duration>\"", s, len(fields))
	}
	for i, f := range fields {
		if err := cronFields[i].check(f); err != nil {
			return ScheduleSpec{}, fmt.Errorf("cron expression %q: %s field %q: %w", s, cronFields[i].name, f, err)
		}
	}
	return ScheduleSpec{Cron: strings.Join(fields, " ")}, nil
}

// parseEvery parses the duration of "@every <duration>".
func parseEvery(s string) (ScheduleSpec, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return ScheduleSpec{}, fmt.Errorf("@every: want a duration such as 30s or 1h, got %q", s)
	}
	if d < MinScheduleInterval {
		return ScheduleSpec{}, fmt.Errorf("@every: want an interval of at least %s, got %s", MinScheduleInterval, d)
	}
	return ScheduleSpec{Every: d}, nil
}

// cronField is the syntax of one cron field.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i; nil when the field has no names
}

var cronFields = []cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 0, max: 6, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// check validates one field: a comma-separated list of *, a value or a range, each with an
// optional /step.
func (f cronField) check(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		base, step, hasStep := strings.Cut(item, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 {
				return fmt.Errorf("step %q: want a whole number >= 1", step)
			}
		}
		if base == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(base, "-")
		a, err := f.value(lo)
		if err != nil {
			return err
		}
		if !isRange {
			continue
		}
		b, err := f.value(hi)
		if err != nil {
			return err
		}
		if b < a {
			return fmt.Errorf("range %q ends before it starts", base)
		}
	}
	return nil
}

// value parses one value of the field: a number in range or, where the field has them, a name.
func (f cronField) value(s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max {
		want := fmt.Sprintf("%d-%d", f.min, f.max)
		if f.names != nil {
			want += fmt.Sprintf(" or %s-%s", f.names[0], f.names[len(f.names)-1])
		}
		return 0, fmt.Errorf("value %q: want %s", s, want)
	}
	return n, nil
}

// compileSchedule checks r.Schedule and the event type it implies: a scheduled rule's
// eventType is ScheduleEventType(r.ID), filled in when empty and an error when different.
func compileSchedule(r *Rule, rep *reporter) {
	if r.Schedule == "" {
		return
	}
	if _, err := ParseSchedule(r.Schedule); err != nil {
		rep.addf("schedule", "%v", err)
	}
	want := ScheduleEventType(r.ID)
	switch r.EventType {
	case "":
		r.EventType = want
	case want:
	default:
		rep.addf("eventType", "a rule with a schedule has eventType %q (leave it out), got %q", want, r.EventType)
	}
}
