package harness

import (
	"fmt"

	"github.com/evtrigger/evtrigger/bench/celexpr"
	"github.com/evtrigger/evtrigger/bench/rulesbench"
)

func microRows(runs []Run) []Row {
	var rows []Row
	for _, n := range rulesbench.Sizes {
		name := fmt.Sprintf(microRules, n)
		row := Row{Name: name + " (≤ 10 of the event's type)", Unit: "µs/event",
			Values: collect(runs, func(r Run) float64 { return r.Micro[name] / 1000 })}
		if n == 1000 {
			row.Targets = []Target{{AtMost: true, Bound: 5}}
		}
		rows = append(rows, row)
	}
	expr := celexpr.Engines[len(celexpr.Engines)-1].Name
	exprNs := collect(runs, func(r Run) float64 { return r.Micro[expr] })
	for i, eng := range celexpr.Engines {
		v := collect(runs, func(r Run) float64 { return r.Micro[eng.Name] })
		row := Row{Name: "condition: " + eng.Name, Unit: "ns", Values: v}
		if eng.Name != expr {
			row.Ratios, row.RatioTo = ratios(v, exprNs), "expr"
		}
		if i == 0 { // the target is about how evtrigger evaluates this condition; the others explain
			row.Targets = []Target{{OnRatio: true, AtMost: true, Bound: 1.5}}
		}
		rows = append(rows, row)
	}
	return rows
}

func memoryRows(runs []Run) []Row {
	idle := collect(runs, func(r Run) float64 { return float64(r.E2E.RSSIdle) / (1 << 20) })
	end := collect(runs, func(r Run) float64 { return float64(r.E2E.RSSEnd) / (1 << 20) })
	return []Row{
		{Name: "RSS of the harness process, e2e stack idle (after warm-up)", Unit: "MiB", Values: idle},
		{Name: "RSS of the harness process, e2e stack after its runs", Unit: "MiB", Values: end, Ratios: ratios(end, idle), RatioTo: "idle"},
	}
}
