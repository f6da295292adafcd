package rules

import "testing"

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		input   string
		wantOut bool
	}{
		{"exact", "order.created", "order.created", true},
		{"exact other", "order.created", "order.paid", false},
		{"exact prefix", "order", "order.created", false},
		{"star one segment", "order.*", "order.created", true},
		{"star needs a segment", "order.*", "order", false},
		{"star only one segment", "order.*", "order.created.eu", false},
		{"hash zero segments", "order.#", "order", true},
		{"hash one segment", "order.#", "order.created", true},
		{"hash two segments", "order.#", "order.created.eu", true},
		{"hash other prefix", "order.#", "orders.created", false},
		{"hash alone", "#", "anything.at.all", true},
		{"hash alone one segment", "#", "x", true},
		{"star alone", "*", "x", true},
		{"star alone two segments", "*", "x.y", false},
		{"leading star", "*.created", "order.created", true},
		{"leading star too short", "*.created", "created", false},
		{"leading star too long", "*.created", "a.order.created", false},
		{"leading hash", "#.created", "a.b.created", true},
		{"leading hash zero", "#.created", "created", true},
		{"hash in the middle", "a.#.z", "a.z", true},
		{"hash in the middle many", "a.#.z", "a.b.c.z", true},
		{"hash in the middle wrong end", "a.#.z", "a.b.c.y", false},
		{"hash then star", "a.#.*", "a", false},
		{"hash then star one", "a.#.*", "a.b", true},
		{"two hashes backtracking", "#.b.#.b", "a.b.c.b.d.b", true},
		{"repeated hash", "a.#.#", "a", true},
		{"case sensitive", "Order.created", "order.created", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePattern(tt.pattern)
			if err != nil {
				t.Fatalf("parsePattern(%q): %v", tt.pattern, err)
			}
			if got := p.match(tt.input); got != tt.wantOut {
				t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.input, got, tt.wantOut)
			}
		})
	}
}

func TestPatternParse(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		wantIssue bool
		wantExact bool
	}{
		{"exact", "order.created", false, true},
		{"dash and underscore", "order-v2.created_at", false, true},
		{"star", "order.*", false, false},
		{"hash", "#", false, false},
		{"empty", "", true, false},
		{"empty segment", "order..created", true, false},
		{"trailing dot", "order.", true, false},
		{"partial wildcard", "order.cre*", true, false},
		{"space", "order created", true, false},
		{"colon", "order:created", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePattern(tt.input)
			if (err != nil) != tt.wantIssue {
				t.Fatalf("parsePattern(%q) error = %v, want error %v", tt.input, err, tt.wantIssue)
			}
			if err == nil && p.exact != tt.wantExact {
				t.Errorf("parsePattern(%q).exact = %v, want %v", tt.input, p.exact, tt.wantExact)
			}
		})
	}
}
