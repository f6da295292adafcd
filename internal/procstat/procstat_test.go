package procstat

import (
	"math"
	"testing"
	"time"
)

func TestThisProcess(t *testing.T) {
	rss, err := RSS(0)
	if err != nil || rss < 1<<20 {
		t.Fatalf("RSS(0) = %d, %v; want at least 1 MiB", rss, err)
	}
	// Burn CPU until a tick shows, for at most 5 s of wall time.
	var ticks uint64
	x := 1.0
	for deadline := time.Now().Add(5 * time.Second); ticks == 0 && time.Now().Before(deadline); {
		for range 1_000_000 {
			x = math.Sqrt(x + 2)
		}
		if ticks, err = CPUTicks(0); err != nil {
			t.Fatalf("CPUTicks(0): %v", err)
		}
	}
	if ticks == 0 {
		t.Errorf("CPUTicks(0) = 0 after 5 s of work (x=%g); want some CPU time", x)
	}
	if busy, err := MachineBusyTicks(); err != nil || busy == 0 {
		t.Errorf("MachineBusyTicks() = %d, %v; want some", busy, err)
	}
}

func TestNoSuchProcess(t *testing.T) {
	if _, err := RSS(math.MaxInt32); err == nil {
		t.Error("RSS of a process that does not exist: no error")
	}
	if _, err := CPUTicks(math.MaxInt32); err == nil {
		t.Error("CPUTicks of a process that does not exist: no error")
	}
}
