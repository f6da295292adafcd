package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/evtrigger/evtrigger/task"
)

// Compensation is the task that undoes a rule's task when another task of the same event fails
// for good (a saga): shell or http, templated like any task, with its own retry and timeout.
type Compensation struct {
	TaskType   task.Type      `json:"taskType" yaml:"taskType"`
	Parameters map[string]any `json:"parameters,omitempty" yaml:"parameters"`
	Retry      *Retry         `json:"retry,omitempty" yaml:"retry"`
	Timeout    Duration       `json:"timeout,omitempty" yaml:"timeout"`
}

// CompensationTask is a matched rule's compensation, rendered with the event's values.
type CompensationTask struct {
	Task    task.Spec     `json:"task"`
	Timeout time.Duration `json:"timeout"`
	Retry   RetryPolicy   `json:"retry"`
}

// compTemplate is a compiled compensation.
type compTemplate struct {
	task    *taskTemplate
	timeout time.Duration
	retry   RetryPolicy
}

// compileCompensation validates and compiles c (nil: none). Its problems are reported under
// "compensation.", at the position of the rule's compensation field.
func compileCompensation(c *Compensation, rep *reporter) *compTemplate {
	if c == nil {
		return nil
	}
	sub := &reporter{}
	tmp := Rule{TaskType: c.TaskType, Parameters: c.Parameters, Timeout: c.Timeout, Retry: c.Retry}
	timeout := compileTimeout(&tmp, sub)
	retry := compileRetry(tmp.Retry, sub)
	tt := compileTask(&tmp, sub)
	for _, is := range sub.issues {
		field := "compensation"
		if is.Field != "" {
			field += "." + is.Field
		}
		rep.addf(field, "%s", is.Message)
	}
	if len(sub.issues) > 0 {
		return nil
	}
	return &compTemplate{task: tt, timeout: timeout.Std(), retry: retry.policy()}
}

// render renders the compensation task with the event's values.
func (ct *compTemplate) render(v *values) (*CompensationTask, error) {
	spec, err := ct.task.render(v)
	if err != nil {
		return nil, fmt.Errorf("compensation: %w", err)
	}
	return &CompensationTask{Task: spec, Timeout: ct.timeout, Retry: ct.retry}, nil
}

// decodeCompensation reads a rule's compensation from its decoded YAML value.
func decodeCompensation(v any) (*Compensation, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Compensation
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("want a mapping of taskType, parameters, retry, timeout: %w", err)
	}
	return &c, nil
}
