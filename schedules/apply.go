package schedules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// ErrNotOwned is returned (wrapped) for a scheduled rule whose schedule ID is taken by a
// schedule that starts workflows on another task queue: another deployment's, left alone.
var ErrNotOwned = errors.New("schedule belongs to another task queue")

// ensure creates or updates the schedule of d. The caller holds s.mu.
func (s *Syncer) ensure(ctx context.Context, d desired) error {
	id := ID(d.ruleID)
	h := s.client.ScheduleClient().GetHandle(ctx, id)
	changed := false
	err := h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		cur := in.Description.Schedule
		act, ok := cur.Action.(*client.ScheduleWorkflowAction)
		if !ok || act.TaskQueue != s.opts.TaskQueue {
			return nil, fmt.Errorf("%w: not %s", ErrNotOwned, s.opts.TaskQueue)
		}
		if cur.State != nil && cur.State.Note == d.note() && cur.State.Paused == !d.enabled {
			return nil, temporal.ErrSkipScheduleUpdate
		}
		changed = true
		return &client.ScheduleUpdate{Schedule: d.full(s.opts.TaskQueue, s.opts.CatchupWindow)}, nil
	}})
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		s.known[d.ruleID] = true
		if changed {
			s.opts.Logger.Info("schedule updated", "schedule", id, "rule", d.ruleID, "version", d.version,
				"schedule_spec", d.schedule, "paused", !d.enabled)
		}
		return nil
	case errors.As(err, &notFound):
		return s.create(ctx, d)
	}
	return fmt.Errorf("update schedule %s of rule %s: %w", id, d.ruleID, err)
}

// create creates the schedule of d. The caller holds s.mu.
func (s *Syncer) create(ctx context.Context, d desired) error {
	id := ID(d.ruleID)
	_, err := s.client.ScheduleClient().Create(ctx, d.createOptions(s.opts.TaskQueue, s.opts.CatchupWindow))
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create schedule %s of rule %s: %w", id, d.ruleID, err)
	}
	// Already running: another process created it since; the next sync compares it.
	s.known[d.ruleID] = true
	s.opts.Logger.Info("schedule created", "schedule", id, "rule", d.ruleID, "version", d.version,
		"schedule_spec", d.schedule, "paused", !d.enabled)
	return nil
}

// remove deletes the schedule of rule ruleID; one already gone is fine. The caller holds s.mu.
func (s *Syncer) remove(ctx context.Context, ruleID string) error {
	id := ID(ruleID)
	err := s.client.ScheduleClient().GetHandle(ctx, id).Delete(ctx)
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		s.opts.Logger.Info("schedule deleted", "schedule", id, "rule", ruleID)
	case !errors.As(err, &notFound):
		return fmt.Errorf("delete schedule %s of rule %s: %w", id, ruleID, err)
	}
	delete(s.known, ruleID)
	return nil
}

// owned lists the rule IDs of the schedules of this task queue that Temporal's visibility
// knows (it may lag a just created or deleted schedule by a moment).
func (s *Syncer) owned(ctx context.Context) ([]string, error) {
	it, err := s.client.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 500})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	var out []string
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return out, fmt.Errorf("list schedules: %w", err)
		}
		ruleID, ok := strings.CutPrefix(e.ID, IDPrefix)
		if ok && s.memoTaskQueue(e) == s.opts.TaskQueue {
			out = append(out, ruleID)
		}
	}
	return out, nil
}

// memoTaskQueue is the task queue named in a listed schedule's memo; empty when none.
func (s *Syncer) memoTaskQueue(e *client.ScheduleListEntry) string {
	p := e.Memo.GetFields()[memoTaskQueue]
	var tq string
	if p == nil || converter.GetDefaultDataConverter().FromPayload(p, &tq) != nil {
		return ""
	}
	return tq
}
