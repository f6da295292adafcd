package rulesbench

import (
	"context"
	"fmt"
	"testing"

	"github.com/evtrigger/evtrigger/rules"
)

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range Sizes {
		b.Run(fmt.Sprintf("rules=%d", n), Evaluate(n))
	}
}

// TestSets checks what the benchmark evaluates: the candidates and matches of each size.
func TestSets(t *testing.T) {
	for _, tc := range []struct{ total, verdicts, matched int }{{1, 1, 1}, {100, 10, 8}, {1000, 10, 8}} {
		set, ev, err := NewSet(tc.total)
		if err != nil {
			t.Fatal(err)
		}
		if set.Len() != tc.total {
			t.Errorf("%d rules: set has %d", tc.total, set.Len())
		}
		e := set.Evaluate(context.Background(), ev)
		if len(e.Verdicts) != tc.verdicts || len(e.Matched) != tc.matched {
			t.Errorf("%d rules: %d verdicts, %d matched; want %d, %d", tc.total, len(e.Verdicts), len(e.Matched), tc.verdicts, tc.matched)
		}
		for _, v := range e.Verdicts {
			if v.Outcome != rules.OutcomeMatched && v.Outcome != rules.OutcomeConditionFalse {
				t.Errorf("%d rules: %s: %s %s", tc.total, v.RuleID, v.Outcome, v.Message)
			}
		}
	}
}
