package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeJSON reads one rule from JSON in the seed's field names (the json tags of Rule). Numbers
// in parameters decode as json.Number. Unknown fields and values of the wrong kind are reported
// as a *LoadError whose issues name the field (such as "timeout" or "retry.maxAttempts");
// DecodeJSON does not compile the rule: see Compile.
func DecodeJSON(data []byte) (Rule, error) {
	var fields map[string]json.RawMessage
	if err := decodeStrict(data, &fields); err != nil {
		return Rule{}, &LoadError{Issues: []Issue{{Message: "want a JSON object: " + err.Error()}}}
	}
	if fields == nil {
		return Rule{}, &LoadError{Issues: []Issue{{Message: "want a JSON object, got null"}}}
	}
	var r Rule
	var issues []Issue
	for _, key := range sortedKeys(fields) {
		if key == "retry" {
			issues = append(issues, decodeJSONRetry(&r, fields[key])...)
		} else if err := decodeJSONField(&r, key, fields[key]); err != nil {
			issues = append(issues, Issue{Field: key, Message: err.Error()})
		}
	}
	if len(issues) > 0 {
		return Rule{}, &LoadError{Issues: issues}
	}
	return r, nil
}

// decodeJSONField decodes the value of one field into r.
func decodeJSONField(r *Rule, key string, raw json.RawMessage) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	var ptr any
	switch key {
	case "ruleId":
		ptr = &r.ID
	case "ruleName":
		ptr = &r.Name
	case "eventType":
		ptr = &r.EventType
	case "schedule":
		ptr = &r.Schedule
	case "condition":
		ptr = &r.Condition
	case "orderBy":
		ptr = &r.OrderBy
	case "taskName":
		ptr = &r.TaskName
	case "taskType":
		ptr = &r.TaskType
	case "parameters":
		ptr = &r.Parameters
	case "timeout":
		ptr = &r.Timeout
	case "priority":
		ptr = &r.Priority
	case "enabled":
		ptr = &r.Enabled
	case "description":
		ptr = &r.Description
	case "version":
		ptr = &r.Version
	case "compensation":
		ptr = &r.Compensation
	case "concurrency":
		ptr = &r.Concurrency
	case "rateLimit":
		ptr = &r.RateLimit
	default:
		return fmt.Errorf("unknown field: want one of %s", ruleFields)
	}
	if err := decodeStrict(raw, ptr); err != nil {
		return jsonKindError(err)
	}
	return nil
}

// decodeJSONRetry decodes a retry object field by field, reporting each problem at its field.
func decodeJSONRetry(r *Rule, raw json.RawMessage) []Issue {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := decodeStrict(raw, &fields); err != nil {
		return []Issue{{Field: "retry", Message: jsonKindError(err).Error()}}
	}
	r.Retry = &Retry{}
	ptrs := map[string]any{"maxAttempts": &r.Retry.MaxAttempts, "initialInterval": &r.Retry.InitialInterval,
		"backoff": &r.Retry.Backoff, "maxInterval": &r.Retry.MaxInterval}
	var issues []Issue
	for _, k := range sortedKeys(fields) {
		ptr, ok := ptrs[k]
		var err error
		if !ok {
			err = fmt.Errorf("unknown field: want one of maxAttempts, initialInterval, backoff, maxInterval")
		} else if err = decodeStrict(fields[k], ptr); err != nil {
			err = jsonKindError(err)
		}
		if err != nil {
			issues = append(issues, Issue{Field: "retry." + k, Message: err.Error()})
		}
	}
	return issues
}

// decodeStrict decodes one JSON value with numbers as json.Number and no trailing data.
func decodeStrict(data []byte, ptr any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(ptr); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the value")
	}
	return nil
}

// jsonKindError rewords encoding/json's type errors as "want X, got Y".
func jsonKindError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("want %s, got %s", te.Type, te.Value)
	}
	return err
}
