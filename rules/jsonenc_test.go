package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

func FuzzAppendJSONString(f *testing.F) {
	var ascii strings.Builder
	for b := range 0x80 {
		ascii.WriteByte(byte(b))
	}
	for _, s := range []string{"", "plain", ascii.String(), "<a&b>", "é中文😀", "\u2028\u2029", "bad\xffutf8\xc3", "\x00\x1f\x7f", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := compactJSON(s)
		if err != nil {
			t.Fatalf("compactJSON(%q): %v", s, err)
		}
		if got := string(appendJSONString(nil, s)); got != want {
			t.Errorf("appendJSONString(%q) = %s, encoding/json gives %s", s, got, want)
		}
	})
}

// FuzzIsJSONNumber checks isJSONNumber against encoding/json: json.Valid on the text, and
// whether encoding/json accepts it as a json.Number.
func FuzzIsJSONNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "01", "1.", ".5", "1.5e+10", "1E-7", "-", "1e", "1e+", "+1", "00", "-01",
		"123456789012345678901234567890", "1.0e0", "0.0", "1 ", " 1", "1,2", "0x10", "Infinity", "1e1e1", "--1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := isJSONNumber(s)
		_, encErr := json.Marshal(json.Number(s))
		valid := json.Valid([]byte(s)) && strings.Trim(s, "0123456789-+.eE") == ""
		if s == "" {
			valid = false // encoding/json writes the empty Number as 0
		}
		if got != valid || s != "" && got != (encErr == nil) {
			t.Errorf("isJSONNumber(%q) = %v; json.Valid (number characters only) %v, encoding/json: %v", s, got, valid, encErr)
		}
	})
}

// TestAppendJSONValueAgrees checks appendJSONValue against encoding/json: the same text for what
// it writes, and it declines every value encoding/json rejects.
func TestAppendJSONValueAgrees(t *testing.T) {
	values := []any{
		"s", "", "<tag>&\n", true, false, nil, 0, -7, math.MaxInt64, int64(math.MinInt64),
		json.Number(""), json.Number("0"), json.Number("-0"), json.Number("1500.50"), json.Number("1.5e+10"),
		json.Number("123456789012345678901234567890"), json.Number("1E-7"),
		json.Number("01"), json.Number("1."), json.Number(".5"), json.Number("+1"), json.Number("1e"),
		json.Number("--1"), json.Number("1 "), json.Number(" 1"), json.Number("NaN"), json.Number("0x10"),
		json.Number("1,2"), json.Number("[1]"), json.Number("1-2"),
	}
	for _, x := range values {
		got, ok := appendJSONValue(nil, x)
		want, err := compactJSON(x)
		switch {
		case ok && (err != nil || string(got) != want):
			t.Errorf("%T %v: wrote %s, encoding/json gives %q, %v", x, x, got, want, err)
		case !ok && err == nil:
			t.Errorf("%T %v: declined, encoding/json writes %s", x, x, want)
		}
	}
	for _, x := range []any{1.5, float32(2), uint(3), map[string]any{"a": 1}, []any{1}} {
		if _, ok := appendJSONValue(nil, x); ok {
			t.Errorf("%T %v: written, want it left to encoding/json", x, x)
		}
	}
}

// TestRenderJSONAgrees checks renderJSON against rendering the value and encoding it with
// encoding/json: the same body or the same error.
func TestRenderJSONAgrees(t *testing.T) {
	ev := templateEvent()
	ev.Payload["bad"] = json.Number("1,2")
	ev.Payload["ctl"] = "a\tb\u2028\xff"
	bodies := []string{
		`{amount: "${payload.amount}", id: "${eventId}", n: 7, f: 1.5, t: true, z: null, s: "x ${payload.count} y"}`,
		`{a: {b: ["${payload.big}", "${payload.ok}", "${payload.none}", "${payload.int}"]}, "<k>": "${payload.ctl}"}`,
		`["${payload.customer}", "${payload.orderId}"]`,
		`{a: "${payload.float}", b: "${payload.huge}", c: "${metadata.tags}"}`,
		`{a: "${payload.bad}", b: "${payload.orderId}"}`,
		`{a: "${payload.bad}", b: "${payload.nope}"}`,
		`{a: "${payload.nope}", b: "${payload.bad}"}`,
		`{a: "${payload.customer}", b: "${payload.nope}"}`,
		`{}`, `[]`, `{a: [], b: {}}`,
	}
	v := &values{ev: &ev}
	for _, body := range bodies {
		c := mustCompile(t, "- {ruleId: r, eventType: x, taskType: http, parameters: {url: \"http://svc/x\", body: "+body+"}}")
		jt := c.task.http.jsonBody
		got, gotErr := jt.renderJSON(v)
		want, wantErr := renderThenEncode(jt, v)
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("body %s: %s, %v; encoding/json gives %s, %v", body, got, gotErr, want, wantErr)
		}
	}
}

// renderThenEncode is what renderJSON did before it wrote JSON itself.
func renderThenEncode(jt *jsonTemplate, v *values) (string, error) {
	x, err := jt.render(v)
	if err != nil {
		return "", err
	}
	s, err := compactJSON(x)
	if err != nil {
		return "", fmt.Errorf("body: %w", err)
	}
	return s, nil
}
