package harness

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine describes where the numbers were measured.
type Machine struct {
	Cores     int
	MemTotal  int64 // bytes
	GoVersion string
	Date      time.Time
}

// String renders the machine as "2 cores, 23.5 GiB, go1.26.8 linux/amd64".
func (m Machine) String() string {
	return fmt.Sprintf("%d cores, %.1f GiB memory, %s %s/%s", m.Cores, float64(m.MemTotal)/(1<<30),
		m.GoVersion, runtime.GOOS, runtime.GOARCH)
}

// ReadMachine reads the core count (as nproc counts them) and MemTotal from /proc/meminfo.
func ReadMachine() (Machine, error) {
	m := Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), Date: time.Now()}
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return m, fmt.Errorf("read /proc/meminfo: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return m, fmt.Errorf("parse MemTotal %q: %w", rest, err)
			}
			m.MemTotal = kb << 10
		}
	}
	return m, nil
}

// LoadAverage reads the 1-minute load average from /proc/loadavg.
func LoadAverage() (float64, error) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, fmt.Errorf("read /proc/loadavg: %w", err)
	}
	f, _, _ := strings.Cut(string(data), " ")
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		return 0, fmt.Errorf("parse /proc/loadavg %q: %w", data, err)
	}
	return v, nil
}

// Noisy reports whether a 1-minute load average of load1 at the start of a run means other
// work competed for the cores: half of them or more busy before the harness put any load on.
func Noisy(load1 float64, cores int) bool { return load1 >= float64(cores)/2 }
