package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// templateEvent is the event the templating tests render against.
func templateEvent() event.Event {
	return event.Event{
		ID: "evt-1", Type: "order.created", Source: "order-service", Destination: "platform",
		Time: time.Date(2025, 9, 6, 12, 30, 0, 500, time.FixedZone("CST", 8*3600)),
		Payload: map[string]any{
			"orderId":  "A-1",
			"hostile":  `'; touch pwned #`,
			"subst":    "$(id)",
			"spaces":   `a "b" c`,
			"amount":   json.Number("1500.50"),
			"count":    json.Number("3"),
			"big":      json.Number("123456789012345678901234567890"),
			"exp":      json.Number("1e3"),
			"float":    0.1,
			"whole":    float64(3),
			"huge":     1e21,
			"int":      42,
			"ok":       true,
			"none":     nil,
			"customer": map[string]any{"name": "Li", "address": map[string]any{"city": "Hangzhou"}},
			"items":    []any{map[string]any{"sku": "s1"}, map[string]any{"sku": "s2"}},
			"html":     map[string]any{"b": "<a&b>", "a": json.Number("1")},
		},
		Metadata: map[string]any{"tenant": "t1", "tags": map[string]string{"env": "prod"}},
	}
}

func TestTemplateRender(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantIssue string // a substring of the render error
		wantOut   string
	}{
		{"event fields", "${eventId} ${eventType} ${source} ${destination} ${priority}", "", "evt-1 order.created order-service platform MEDIUM"},
		{"timestamp in UTC", "${timestamp}", "", "2025-09-06T04:30:00.0000005Z"},
		{"string", "${payload.orderId}", "", "A-1"},
		{"hostile quote", "${payload.hostile}", "", `'; touch pwned #`},
		{"hostile substitution", "${payload.subst}", "", "$(id)"},
		{"mixed text", "order-${payload.orderId}/${eventType}", "", "order-A-1/order.created"},
		{"escaped placeholder", "$${literal} and $$ and $x", "", "${literal} and $$ and $x"},
		{"nested path", "${payload.customer.address.city}", "", "Hangzhou"},
		{"list index", "${payload.items.1.sku}", "", "s2"},
		{"typed map in metadata", "${metadata.tags.env}", "", "prod"},
		{"json.Number decimal", "${payload.amount}", "", "1500.5"},
		{"json.Number integer", "${payload.count}", "", "3"},
		{"json.Number big integer exact", "${payload.big}", "", "123456789012345678901234567890"},
		{"json.Number exponent", "${payload.exp}", "", "1000"},
		{"float", "${payload.float}", "", "0.1"},
		{"integral float", "${payload.whole}", "", "3"},
		{"float at 1e21", "${payload.huge}", "", "1e+21"},
		{"int", "${payload.int}", "", "42"},
		{"bool", "${payload.ok}", "", "true"},
		{"null", "${payload.none}", "", "null"},
		{"map as compact JSON, no HTML escaping", "${payload.html}", "", `{"a":1,"b":"<a&b>"}`},
		{"list as JSON", "${payload.items}", "", `[{"sku":"s1"},{"sku":"s2"}]`},
		{"missing field", "${payload.missing}", `${payload.missing}: payload has no field "missing"`, ""},
		{"missing nested field", "x ${payload.customer.age}", `${payload.customer.age}: payload.customer has no field "age"`, ""},
		{"field of a string", "${payload.orderId.x}", `payload.orderId is a string, not an object or a list`, ""},
		{"index out of range", "${payload.items.5}", `payload.items has no index "5" (a list of length 2)`, ""},
		{"missing metadata", "${metadata.user}", `${metadata.user}: metadata has no field "user"`, ""},
	}
	ev := templateEvent()
	v := &values{ev: &ev}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := parseTemplate(tt.input)
			if err != nil {
				t.Fatalf("parseTemplate(%q): %v", tt.input, err)
			}
			got, err := tmpl.render(v)
			if tt.wantIssue != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantIssue) {
					t.Fatalf("render(%q) = %q, %v; want error containing %q", tt.input, got, err, tt.wantIssue)
				}
				return
			}
			if err != nil || got != tt.wantOut {
				t.Errorf("render(%q) = %q, %v; want %q", tt.input, got, err, tt.wantOut)
			}
		})
	}
}

func TestTemplateParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantIssue string
	}{
		{"unknown root", "${foo}", `unknown root "foo"`},
		{"empty placeholder", "${}", `unknown root ""`},
		{"unclosed", "x ${payload.a", `unclosed placeholder "${payload.a"`},
		{"empty segment", "${payload..a}", `malformed path segment ""`},
		{"fields of eventType", "${eventType.x}", "${eventType} has no fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTemplate(tt.input)
			if err == nil || !strings.Contains(err.Error(), tt.wantIssue) {
				t.Errorf("parseTemplate(%q) = %v, want error containing %q", tt.input, err, tt.wantIssue)
			}
		})
	}
}

// mustCompile compiles one rule from YAML.
func mustCompile(t *testing.T, yamlRule string) *Compiled {
	t.Helper()
	cs, err := Parse("t.yaml", []byte(yamlRule), nil)
	if err != nil || len(cs) != 1 {
		t.Fatalf("Parse: %d rules, %v", len(cs), err)
	}
	return cs[0]
}

func TestRenderShellArgsStayWhole(t *testing.T) {
	c := mustCompile(t, `- ruleId: r
  eventType: order.created
  taskType: shell
  parameters:
    script: /opt/process.sh
    args: ["${payload.hostile}", "${payload.subst}", "--name=${payload.spaces}", "$${HOME}"]
    env: {ORDER: "${payload.orderId}", CUSTOMER: "${payload.customer}"}
    dir: /tmp
`)
	got, err := c.Render(templateEvent())
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	want := task.Spec{Type: task.TypeShell, Shell: &task.Shell{
		Script: "/opt/process.sh",
		Args:   []string{`'; touch pwned #`, "$(id)", `--name=a "b" c`, "${HOME}"},
		Env:    map[string]string{"ORDER": "A-1", "CUSTOMER": `{"address":{"city":"Hangzhou"},"name":"Li"}`},
		Dir:    "/tmp",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Render =\n%#v\nwant\n%#v", got.Shell, want.Shell)
	}
}

func TestRenderHTTP(t *testing.T) {
	tests := []struct {
		name      string
		params    string
		wantIssue string
		wantOut   task.HTTP
	}{
		{"JSON body keeps native types",
			`{url: "http://svc/orders/${payload.orderId}", body: {amount: "${payload.amount}", big: "${payload.big}", ok: "${payload.ok}", customer: "${payload.customer}", note: "id ${payload.orderId}", n: 7, tags: ["${eventType}", null]}}`,
			"", task.HTTP{Method: "POST", URL: "http://svc/orders/A-1",
				Headers: map[string]string{"Content-Type": "application/json"},
				Body:    `{"amount":1500.50,"big":123456789012345678901234567890,"customer":{"address":{"city":"Hangzhou"},"name":"Li"},"n":7,"note":"id A-1","ok":true,"tags":["order.created",null]}`}},
		{"own content type kept",
			`{url: "https://svc/x", method: patch, headers: {content-type: application/merge-patch+json}, body: {a: "${payload.int}"}, acceptStatus: [204]}`,
			"", task.HTTP{Method: "PATCH", URL: "https://svc/x", Headers: map[string]string{"content-type": "application/merge-patch+json"},
				Body: `{"a":42}`, AcceptStatus: []int{204}}},
		{"string body is text",
			`{url: "http://svc/x", method: PUT, headers: {X-Order: "${payload.orderId}"}, body: "order=${payload.orderId}"}`,
			"", task.HTTP{Method: "PUT", URL: "http://svc/x", Headers: map[string]string{"X-Order": "A-1"}, Body: "order=A-1"}},
		{"constant headers and JSON body",
			`{url: "http://svc/x", headers: {X-A: "a $${b}"}, body: {a: 1}}`,
			"", task.HTTP{Method: "POST", URL: "http://svc/x", Headers: map[string]string{"X-A": "a ${b}", "Content-Type": "application/json"}, Body: `{"a":1}`}},
		{"templated header and JSON body",
			`{url: "http://svc/x", headers: {X-Order: "${payload.orderId}"}, body: {a: 1}}`,
			"", task.HTTP{Method: "POST", URL: "http://svc/x", Headers: map[string]string{"X-Order": "A-1", "Content-Type": "application/json"}, Body: `{"a":1}`}},
		{"no headers, text body", `{url: "http://svc/x", body: "x"}`, "", task.HTTP{Method: "POST", URL: "http://svc/x", Body: "x"}},
		{"missing field in body", `{url: "http://svc/x", body: {a: "${payload.nope}"}}`, `${payload.nope}: payload has no field "nope"`, task.HTTP{}},
		{"rendered url not absolute", `{url: "${payload.orderId}"}`, `rendered url: URL "A-1": want an absolute http or https URL`, task.HTTP{}},
		{"header injection", `{url: "http://svc/x", headers: {X-A: "${metadata.evil}"}}`, "header X-A: rendered value contains CR, LF or NUL", task.HTTP{}},
	}
	ev := templateEvent()
	ev.Metadata["evil"] = "a\r\nX-Admin: 1"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, "- {ruleId: r, eventType: x, taskType: http, parameters: "+tt.params+"}")
			got, err := c.Render(ev)
			if tt.wantIssue != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantIssue) {
					t.Fatalf("Render = %+v, %v; want error containing %q", got.HTTP, err, tt.wantIssue)
				}
				return
			}
			if err != nil || got.Type != task.TypeHTTP || !reflect.DeepEqual(*got.HTTP, tt.wantOut) {
				t.Errorf("Render = %+v, %v\nwant %+v", got.HTTP, err, tt.wantOut)
			}
		})
	}
}

// TestRenderDoesNotShareState: each rendered task has its own AcceptStatus. (Headers without a
// placeholder are the exception: one map per rule, documented as read-only.)
func TestRenderDoesNotShareState(t *testing.T) {
	c := mustCompile(t, `- {ruleId: r, eventType: x, taskType: http, parameters: {url: "http://svc/x", acceptStatus: [200]}}`)
	first, err := c.Render(templateEvent())
	if err != nil {
		t.Fatal(err)
	}
	first.HTTP.AcceptStatus[0] = 500
	second, _ := c.Render(templateEvent())
	if second.HTTP.AcceptStatus[0] != 200 {
		t.Errorf("changing one rendered task changed the next: %v", second.HTTP.AcceptStatus)
	}
}
