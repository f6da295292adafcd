package schedules

import (
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/workflows"
)

// IDPrefix starts the ID of every Temporal Schedule a Syncer manages: IDPrefix + ruleId.
const IDPrefix = "evtrigger-rule-"

// memoTaskQueue is the schedule memo key naming the task queue of the Syncer that owns it.
const memoTaskQueue = "evtriggerTaskQueue"

// ID is the Temporal Schedule ID of the scheduled rule ruleID.
func ID(ruleID string) string { return IDPrefix + ruleID }

// WorkflowIDPrefix is the workflow ID prefix of the schedule of rule ruleID; Temporal appends
// "-<scheduled time>" to it for each firing.
func WorkflowIDPrefix(ruleID string) string {
	return event.WorkflowID(rules.ScheduleEventType(ruleID))
}

// desired is the schedule one scheduled rule asks for.
type desired struct {
	ruleID   string
	version  int64
	schedule string
	spec     rules.ScheduleSpec
	enabled  bool
}

// desiredOf lists the scheduled rules of set, by rule ID. A rule whose schedule does not parse
// (it cannot be in a compiled set) is left out.
func desiredOf(set *rules.Set) []desired {
	var out []desired
	for _, r := range set.Rules() {
		if r.Schedule == "" {
			continue
		}
		spec, err := rules.ParseSchedule(r.Schedule)
		if err != nil {
			continue
		}
		out = append(out, desired{ruleID: r.ID, version: r.Version, schedule: r.Schedule, spec: spec, enabled: r.IsEnabled()})
	}
	return out
}

// note is the schedule's note: what it mirrors. A schedule whose note differs is updated.
func (d desired) note() string {
	n := fmt.Sprintf("evtrigger rule %s version %d: %s", d.ruleID, d.version, strings.TrimSpace(d.schedule))
	if !d.enabled {
		n += " (rule disabled)"
	}
	return n
}

// scheduleSpec is the Temporal form of the rule's schedule.
func (d desired) scheduleSpec() *client.ScheduleSpec {
	if d.spec.Every > 0 {
		return &client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: d.spec.Every}}}
	}
	return &client.ScheduleSpec{CronExpressions: []string{d.spec.Cron}, TimeZoneName: "UTC"}
}

// action starts ScheduledEventWorkflow on the task queue tq.
func (d desired) action(tq string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:        WorkflowIDPrefix(d.ruleID),
		Workflow:  workflows.ScheduledEventWorkflowName,
		Args:      []any{workflows.ScheduledEvent{RuleID: d.ruleID, ScheduleID: ID(d.ruleID)}},
		TaskQueue: tq,
	}
}

// createOptions are the options that create the rule's schedule.
func (d desired) createOptions(tq string, catchup time.Duration) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:            ID(d.ruleID),
		Spec:          *d.scheduleSpec(),
		Action:        d.action(tq),
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: catchup,
		Note:          d.note(),
		Paused:        !d.enabled,
		Memo:          map[string]any{memoTaskQueue: tq},
	}
}

// full is the whole schedule, for an update.
func (d desired) full(tq string, catchup time.Duration) *client.Schedule {
	return &client.Schedule{
		Action: d.action(tq),
		Spec:   d.scheduleSpec(),
		Policy: &client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: catchup},
		State:  &client.ScheduleState{Note: d.note(), Paused: !d.enabled},
	}
}

// fingerprint identifies the desired state of a whole set, to skip syncs that change nothing.
func fingerprint(ds []desired) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.note())
		b.WriteByte('\n')
	}
	return b.String()
}
