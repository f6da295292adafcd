package harness

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (`getconf CLK_TCK`; 100 on Linux).
const clockTicks = 100

// rssBytes reads a process's resident set size (VmRSS) from /proc; pid 0 means this process.
func rssBytes(pid int) (int64, error) {
	data, err := os.ReadFile(procPath(pid, "status"))
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in %s", procPath(pid, "status"))
}

// processTicks reads a process's user+system CPU time in clock ticks; pid 0 means this process.
func processTicks(pid int) (uint64, error) {
	data, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	// The command name (field 2) may hold spaces; the fields after its ')' start at field 3.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("short %s", procPath(pid, "stat"))
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parse cpu time of %s", procPath(pid, "stat"))
	}
	return utime + stime, nil
}

// machineBusyTicks reads the whole machine's non-idle CPU time in clock ticks from /proc/stat.
func machineBusyTicks() (uint64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	var busy uint64
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc/stat: %w", err)
		}
		if i == 3 || i == 4 || i >= 7 { // idle, iowait; steal, guest, guest_nice
			continue
		}
		busy += v
	}
	return busy, nil
}

func procPath(pid int, file string) string {
	if pid == 0 {
		return "/proc/self/" + file
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

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
	s.self, _ = processTicks(0)
	s.temporal, _ = processTicks(e.Temporal.PID())
	s.kafka, _ = processTicks(e.kafka.pid())
	s.machine, _ = machineBusyTicks()
	return s
}

// cpuSince returns the CPU used since snapshot s, in cores.
func (e *Env) cpuSince(s cpuSnap) CPUUse {
	now := e.cpuSnap()
	secs := now.at.Sub(s.at).Seconds() * clockTicks
	if secs <= 0 {
		return CPUUse{}
	}
	d := func(a, b uint64) float64 { return float64(a-b) / secs }
	u := CPUUse{Harness: d(now.self, s.self), Temporal: d(now.temporal, s.temporal), Kafka: d(now.kafka, s.kafka)}
	u.Others = max(0, d(now.machine, s.machine)-u.Harness-u.Temporal-u.Kafka)
	return u
}
