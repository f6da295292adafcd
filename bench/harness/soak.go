package harness

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"
)

// SoakSample is the harness process's memory at one moment of a soak.
type SoakSample struct {
	At        time.Duration // since the load began
	RSS, Heap int64         // bytes: VmRSS, and the Go heap in use
	Arrived   int           // tasks arrived so far
}

// Soak runs a steady load at rate events/s through the end-to-end stack for d, sampling the
// process's RSS every `every` and writing each sample to out as it is taken. It returns the
// samples; the first is taken after the warm-up event, before the load.
func (e *Env) Soak(ctx context.Context, d time.Duration, rate float64, every time.Duration, out io.Writer) ([]SoakSample, error) {
	s, err := e.newE2EStack(ctx, "soak", false, 0, 0)
	if err != nil {
		return nil, err
	}
	defer s.close()
	errs := make(chan error, 1)
	offer := s.offer(errs)
	arrivals := func(r *recorder) { s.sink.rec.Store(r) }
	if _, err := e.saturate(ctx, offer, "soak-warm", 1, 1, arrivals); err != nil {
		return nil, fmt.Errorf("soak warm-up: %w", err)
	}
	n := int(rate * d.Seconds())
	rec := newRecorder("soak-load", n)
	arrivals(rec)
	start := time.Now()
	samples := []SoakSample{sample(0, rec)}
	fmt.Fprintf(out, "soak: %s at %g events/s; RSS every %s\n%8s %10s %10s %9s\n", d, rate, every, "at", "RSS MiB", "heap MiB", "tasks")
	writeSample(out, samples[0])
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	next := start.Add(every)
	for i := range n {
		_ = offer(ctx, eventID("soak-load", i), time.Now())
		if now := <-tick.C; !now.Before(next) {
			samples = append(samples, sample(now.Sub(start), rec))
			writeSample(out, samples[len(samples)-1])
			next = next.Add(every)
		}
		if err := ctx.Err(); err != nil {
			return samples, err
		}
	}
	return samples, nil
}

func sample(at time.Duration, rec *recorder) SoakSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rec.mu.Lock()
	arrived := len(rec.seen)
	rec.mu.Unlock()
	return SoakSample{At: at, RSS: currentRSS(), Heap: int64(ms.HeapInuse), Arrived: arrived}
}

func writeSample(w io.Writer, s SoakSample) {
	fmt.Fprintf(w, "%8s %10.1f %10.1f %9d\n", s.At.Round(time.Second), float64(s.RSS)/(1<<20), float64(s.Heap)/(1<<20), s.Arrived)
}

// Flatness is the largest deviation of the samples' RSS from their median, as a fraction,
// leaving out the first sample (taken before the load): the soak's target is within ±10%.
func Flatness(samples []SoakSample) float64 {
	if len(samples) < 2 {
		return 0
	}
	vals := make([]float64, 0, len(samples)-1)
	for _, s := range samples[1:] {
		vals = append(vals, float64(s.RSS))
	}
	m := median(vals)
	worst := 0.0
	for _, v := range vals {
		worst = max(worst, abs(v-m)/m)
	}
	return worst
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
