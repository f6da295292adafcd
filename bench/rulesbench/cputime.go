package rulesbench

import (
	"syscall"
	"testing"
	"time"
)

// ProcessCPU returns the CPU time (user and system) the process has used so far.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU reports the process CPU time since start per iteration as cpu-ns/op. On a shared
// machine it moves less than ns/op, which counts the time the benchmark waited for a core too;
// it also counts the garbage collector's work on other threads.
func ReportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(ProcessCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
