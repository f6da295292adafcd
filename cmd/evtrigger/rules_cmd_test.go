package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesLint(t *testing.T) {
	cases := []struct {
		name    string
		files   []string
		wantErr bool
		want    []string
	}{
		{"good files", []string{"../../rules/examples/orders.yaml", "../../rules/testdata/seed.yaml"}, false,
			[]string{"orders.yaml: 2 rule(s) ok", "seed.yaml: 2 rule(s) ok"}},
		{"CEL syntax error with file:line:col", []string{"../../rules/testdata/bad/cel_syntax.yaml"}, true,
			[]string{"cel_syntax.yaml:4:33: rule \"plain\": condition: Syntax error"}},
		{"condition not bool", []string{"../../rules/testdata/bad/cel_type.yaml"}, true,
			[]string{"cel_type.yaml:4:16: rule \"not-bool\": condition: condition must be a bool, got int"}},
		{"one bad file among good", []string{"../../rules/testdata/seed.yaml", "../../rules/testdata/bad/unknown_field.yaml"}, true,
			[]string{"seed.yaml: 2 rule(s) ok", "unknown_field.yaml:4:5: rule \"typo\": conditon: unknown field"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"rules", "lint"}, c.files...), &out)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, wantErr %v; output:\n%s", err, c.wantErr, out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestRulesTestDryRun(t *testing.T) {
	ev := filepath.Join(t.TempDir(), "event.json")
	body := `{"messageId":"m-1","eventType":"order.created","payload":{"orderId":"o-9","amount":1500}}`
	if err := os.WriteFile(ev, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"rules", "test", "--rules", "../../rules/examples", "--event", ev}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"event m-1 (type order.created): 1 rule(s) match",
		`MATCH    order-created-trigger (v1, HIGH, timeout 5m0s, 3 attempts)`,
		`"args":["o-9","1500"]`,
		"NO MATCH payment-completed-trigger (v1): type_mismatch",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, &out); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("err = %v", err)
	}
}
