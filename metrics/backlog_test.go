package metrics

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestReportBacklog: answers set the gauges, a queue gone from an answer loses its series, an
// error keeps the last values, and the end of ctx removes the series.
func TestReportBacklog(t *testing.T) {
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	answers := make(chan func() (map[string]int64, error))
	f := func(ctx context.Context) (map[string]int64, error) {
		select {
		case a := <-answers:
			return a()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { m.ReportBacklog(ctx, SourceAMQP, time.Millisecond, f, nil) })
	answer := func(depths map[string]int64, err error) {
		answers <- func() (map[string]int64, error) { return depths, err }
		answers <- func() (map[string]int64, error) { return depths, err } // the first one is applied
	}
	gauge := func(q string) float64 { return value(t, m.backlog.WithLabelValues(SourceAMQP, q)) }

	answer(map[string]int64{"orders": 5, "payments": 7}, nil)
	if gauge("orders") != 5 || gauge("payments") != 7 {
		t.Fatalf("gauges %v %v", gauge("orders"), gauge("payments"))
	}
	answer(map[string]int64{"orders": 2}, nil)
	if n := len(collect(t, m.backlog)); n != 1 || gauge("orders") != 2 {
		t.Fatalf("after payments disappeared: %d series, orders %v", n, gauge("orders"))
	}
	answer(nil, errors.New("broker down"))
	if gauge("orders") != 2 {
		t.Fatalf("an error changed orders to %v", gauge("orders"))
	}
	cancel()
	wg.Wait()
	if n := len(collect(t, m.backlog)); n != 0 {
		t.Fatalf("%d backlog series left after ctx ended", n)
	}
}
