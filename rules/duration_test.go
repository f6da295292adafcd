package rules

import (
	"encoding/json"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestDurationYAML(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantIssue bool
		wantOut   time.Duration
	}{
		{"go syntax", `"1m30s"`, false, 90 * time.Second},
		{"plain string", `30s`, false, 30 * time.Second},
		{"integer seconds", `3600`, false, time.Hour},
		{"fractional seconds", `0.5`, false, 500 * time.Millisecond},
		{"quoted number", `"20"`, false, 20 * time.Second},
		{"null keeps zero", `null`, false, 0},
		{"word", `soon`, true, 0},
		{"list", `[1]`, true, 0},
		{"overflow", `1e300`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Duration
			err := yaml.Unmarshal([]byte(tt.input), &d)
			if (err != nil) != tt.wantIssue {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.input, err, tt.wantIssue)
			}
			if !tt.wantIssue && d.Std() != tt.wantOut {
				t.Errorf("Unmarshal(%s) = %v, want %v", tt.input, d, tt.wantOut)
			}
		})
	}
}

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantIssue bool
		wantOut   time.Duration
	}{
		{"string", `"30s"`, false, 30 * time.Second},
		{"compound", `"1m30s"`, false, 90 * time.Second},
		{"seconds", `90`, false, 90 * time.Second},
		{"fractional seconds", `1.5`, false, 1500 * time.Millisecond},
		{"bad string", `"later"`, true, 0},
		{"object", `{}`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tt.input), &d)
			if (err != nil) != tt.wantIssue {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.input, err, tt.wantIssue)
			}
			if !tt.wantIssue && d.Std() != tt.wantOut {
				t.Errorf("Unmarshal(%s) = %v, want %v", tt.input, d, tt.wantOut)
			}
		})
	}
	out, err := json.Marshal(struct{ D Duration }{Duration(90 * time.Second)})
	if err != nil || string(out) != `{"D":"1m30s"}` {
		t.Errorf("Marshal = %s, %v; want {\"D\":\"1m30s\"}", out, err)
	}
	y, err := yaml.Marshal(struct{ D Duration }{Duration(time.Minute)})
	if err != nil || string(y) != "d: 1m0s\n" {
		t.Errorf("yaml.Marshal = %q, %v", y, err)
	}
}
