package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d like time.Duration, such as "1m30s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a string such as "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON reads a string such as "30s" or "1m30s", or a number of seconds (fractions
// allowed). null leaves d unchanged.
func (d *Duration) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		return d.parse(s)
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("duration: want a string such as \"30s\" or a number of seconds, got %s", data)
	}
	return d.parseSeconds(n.String())
}

// MarshalYAML writes d as a string such as "1m30s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a scalar: a string such as "30s" or "1m30s", or a number of seconds
// (fractions allowed). null leaves d unchanged.
func (d *Duration) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("duration: want a string such as \"30s\" or a number of seconds")
	}
	switch node.ShortTag() {
	case "!!null":
		return nil
	case "!!int", "!!float":
		return d.parseSeconds(node.Value)
	}
	return d.parse(node.Value)
}

// parse reads Go duration syntax, or a bare number of seconds.
func (d *Duration) parse(s string) error {
	s = strings.TrimSpace(s)
	if v, err := time.ParseDuration(s); err == nil {
		*d = Duration(v)
		return nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return d.parseSeconds(s)
	}
	return fmt.Errorf("duration %q: want a value such as \"30s\", \"1m30s\" or a number of seconds", s)
}

// parseSeconds reads a number of seconds.
func (d *Duration) parseSeconds(s string) error {
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		return fmt.Errorf("duration %q: not a number of seconds", s)
	}
	ns := f * float64(time.Second)
	if math.IsNaN(ns) || math.Abs(ns) >= 1<<63 {
		return fmt.Errorf("duration %q: out of range", s)
	}
	*d = Duration(math.Round(ns))
	return nil
}
