package harness

import (
	"fmt"
	"time"

	"github.com/evtrigger/evtrigger/internal/procstat"
)

// cpuSnap is the CPU time used so far by the processes of the stack and by the machine.
type cpuSnap struct {
	at                             time.Time
	self, temporal, kafka, machine uint64
}

// CPUUse is the CPU used during a phase, in cores (1.0 = one core busy all the time).
type CPUUse struct {
	Harness, Temporal, Kafka, Others float64
}

// String renders the use as "harness 0.9, temporal 1.0, kfake 0.1, others 0.0 cores".
func (u CPUUse) String() string {
	return fmt.Sprintf("harness %.2f, temporal %.2f, kfake %.2f, others %.2f cores", u.Harness, u.Temporal, u.Kafka, u.Others)
}

// cpuSnap reads the CPU time used so far; a value that cannot be read stays 0.
func (e *Env) cpuSnap() cpuSnap {
	s := cpuSnap{at: time.Now()}
	s.self, _ = procstat.CPUTicks(0)
	s.temporal, _ = procstat.CPUTicks(e.Temporal.PID())
	s.kafka, _ = procstat.CPUTicks(e.kafka.pid())
	s.machine, _ = procstat.MachineBusyTicks()
	return s
}

// cpuSince returns the CPU used since snapshot s, in cores.
func (e *Env) cpuSince(s cpuSnap) CPUUse {
	now := e.cpuSnap()
	secs := now.at.Sub(s.at).Seconds() * procstat.ClockTicks
	if secs <= 0 {
		return CPUUse{}
	}
	d := func(a, b uint64) float64 { return float64(a-b) / secs }
	u := CPUUse{Harness: d(now.self, s.self), Temporal: d(now.temporal, s.temporal), Kafka: d(now.kafka, s.kafka)}
	u.Others = max(0, d(now.machine, s.machine)-u.Harness-u.Temporal-u.Kafka)
	return u
}
