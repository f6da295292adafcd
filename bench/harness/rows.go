package harness

import (
	"fmt"
	"math"
	"time"
)

// Row is one line of the table: a figure per run, optionally a ratio per run against another
// figure of the same run, and the targets it is held to.
type Row struct {
	Name    string
	Unit    string
	Values  []float64
	Ratios  []float64 // nil: no ratio
	RatioTo string    // what the ratio is taken against
	Targets []Target
}

// Target is a bound on a row's median value or median ratio.
type Target struct {
	OnRatio bool
	AtMost  bool // the figure must be <= Bound; otherwise >= Bound
	Bound   float64
}

// String renders the target, such as "≥ 0.9×" or "≤ 15 ms".
func (t Target) String(unit string) string {
	op := "≥"
	if t.AtMost {
		op = "≤"
	}
	if t.OnRatio {
		return fmt.Sprintf("%s %g×", op, t.Bound)
	}
	return fmt.Sprintf("%s %g %s", op, t.Bound, unit)
}

// Met reports whether the row's medians meet every target; ok is false when there is none.
func (r Row) Met() (met, ok bool) {
	if len(r.Targets) == 0 {
		return false, false
	}
	met = true
	for _, t := range r.Targets {
		v := median(r.Values)
		if t.OnRatio {
			v = median(r.Ratios)
		}
		if math.IsNaN(v) || (t.AtMost && v > t.Bound) || (!t.AtMost && v < t.Bound) {
			met = false
		}
	}
	return met, true
}

// rowsFrom builds the table's rows from the runs.
func rowsFrom(runs []Run) []Row {
	var rows []Row
	rows = append(rows, ceilingRows(runs)...)
	rows = append(rows, e2eRows(runs)...)
	rows = append(rows, filteredRows(runs)...)
	rows = append(rows, microRows(runs)...)
	return append(rows, memoryRows(runs)...)
}

// collect maps each run to one figure.
func collect(runs []Run, f func(Run) float64) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = f(r)
	}
	return out
}

// ratios divides a by b element-wise.
func ratios(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] / b[i]
	}
	return out
}

func ceilingRows(runs []Run) []Row {
	var rows []Row
	for _, c := range []struct {
		name string
		get  func(Run) PhaseResult
	}{{"ceiling (a): plain start, 1 regular activity", func(r Run) PhaseResult { return r.CeilingA }},
		{"ceiling (b): eager start, 1 local activity", func(r Run) PhaseResult { return r.CeilingB }}} {
		rows = append(rows,
			Row{Name: c.name + ": saturated", Unit: "tasks/s", Values: collect(runs, func(r Run) float64 { return c.get(r).Throughput.PerSec })},
			Row{Name: c.name + ": p50 at 20/s", Unit: "ms", Values: collect(runs, func(r Run) float64 { return ms(c.get(r).Latency.P50) })},
			Row{Name: c.name + ": p99 at 20/s", Unit: "ms", Values: collect(runs, func(r Run) float64 { return ms(c.get(r).Latency.P99) })})
	}
	return rows
}

func e2eRows(runs []Run) []Row {
	b := func(r Run) PhaseResult { return r.CeilingB }
	e := func(r Run) PhaseResult { return r.E2E }
	rows := phaseRows(runs, "end to end (Kafka → HTTP task), eager", e, b, "ceiling (b)", [3][]Target{
		{{OnRatio: true, Bound: 0.9}, {Bound: 100}},
		{{OnRatio: true, AtMost: true, Bound: 1.2}, {AtMost: true, Bound: 15}},
		{{OnRatio: true, AtMost: true, Bound: 1.5}, {AtMost: true, Bound: 50}},
	})
	rows = append(rows, latencyRows(runs, "end to end without the broker (Processor.Handle → HTTP task)",
		func(r Run) Latency { return r.Direct }, "ceiling (b)")...)
	rows = append(rows, latencyRows(runs, "Kafka hop alone (produce → bare franz-go consumer)",
		func(r Run) Latency { return r.Hop }, "")...)
	rows = append(rows, shareRows(runs)...)
	if runs[0].Split != nil {
		s := func(r Run) PhaseResult { return *r.Split }
		rows = append(rows, phaseRows(runs, "end to end, split (2 clients, no eager start)", s, e, "eager e2e", [3][]Target{})...)
	}
	return rows
}

// phaseRows are a phase's throughput, p50 and p99 rows with ratios against another phase.
func phaseRows(runs []Run, name string, get, against func(Run) PhaseResult, to string, targets [3][]Target) []Row {
	figs := []struct {
		suffix, unit string
		f            func(PhaseResult) float64
	}{
		{": saturated", "events/s", func(p PhaseResult) float64 { return p.Throughput.PerSec }},
		{": p50 at 20/s", "ms", func(p PhaseResult) float64 { return ms(p.Latency.P50) }},
		{": p99 at 20/s", "ms", func(p PhaseResult) float64 { return ms(p.Latency.P99) }},
	}
	rows := make([]Row, len(figs))
	for i, fg := range figs {
		v := collect(runs, func(r Run) float64 { return fg.f(get(r)) })
		a := collect(runs, func(r Run) float64 { return fg.f(against(r)) })
		rows[i] = Row{Name: name + fg.suffix, Unit: fg.unit, Values: v, Ratios: ratios(v, a), RatioTo: to, Targets: targets[i]}
	}
	return rows
}

// latencyRows are a latency's p50 and p99 rows, with ratios against ceiling (b)'s when to is
// set.
func latencyRows(runs []Run, name string, get func(Run) Latency, to string) []Row {
	var rows []Row
	for _, q := range []struct {
		suffix string
		f      func(Latency) time.Duration
	}{{": p50 at 20/s", func(l Latency) time.Duration { return l.P50 }}, {": p99 at 20/s", func(l Latency) time.Duration { return l.P99 }}} {
		row := Row{Name: name + q.suffix, Unit: "ms", Values: collect(runs, func(r Run) float64 { return ms(q.f(get(r))) })}
		if to != "" {
			row.Ratios = ratios(row.Values, collect(runs, func(r Run) float64 { return ms(q.f(r.CeilingB.Latency)) }))
			row.RatioTo = to
		}
		rows = append(rows, row)
	}
	return rows
}

// shareRows split the end-to-end p50 beyond ceiling (b)'s and the Kafka hop's, evtrigger's own
// share, into the Kafka source's part (end to end less the run without the broker and the hop)
// and the rest's (the run without the broker less ceiling (b)). Differences of medians, so a
// part may come out below zero when the two are within noise.
func shareRows(runs []Run) []Row {
	p50 := func(f func(Run) Latency) []float64 { return collect(runs, func(r Run) float64 { return ms(f(r).P50) }) }
	e2e, direct := p50(func(r Run) Latency { return r.E2E.Latency }), p50(func(r Run) Latency { return r.Direct })
	b, hop := p50(func(r Run) Latency { return r.CeilingB.Latency }), p50(func(r Run) Latency { return r.Hop })
	diff := func(a []float64, minus ...[]float64) []float64 {
		out := append([]float64(nil), a...)
		for _, m := range minus {
			for i := range out {
				out[i] -= m[i]
			}
		}
		return out
	}
	own := diff(e2e, b, hop)
	return []Row{
		{Name: "evtrigger's own share of the end-to-end p50 (less ceiling (b)'s and the hop's)", Unit: "ms",
			Values: own, Ratios: ratios(own, b), RatioTo: "ceiling (b)"},
		{Name: "… of which in the Kafka source (end to end less without the broker, less the hop)", Unit: "ms",
			Values: diff(e2e, direct, hop)},
		{Name: "… of which from Processor.Handle to the task (without the broker less ceiling (b))", Unit: "ms",
			Values: diff(direct, b)},
	}
}

func filteredRows(runs []Run) []Row {
	ev := collect(runs, func(r Run) float64 { return r.Filtered.Evtrigger })
	bare := collect(runs, func(r Run) float64 { return r.Filtered.Bare })
	return []Row{
		{Name: "filtered: evtrigger source + pre-filter", Unit: "records/s", Values: ev, Ratios: ratios(ev, bare),
			RatioTo: "bare consumer", Targets: []Target{{OnRatio: true, Bound: 0.5}}},
		{Name: "filtered: bare franz-go group consumer", Unit: "records/s", Values: bare},
	}
}
