//go:build faults

package faults

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/procstat"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// proc is one evtrigger process under test: its output goes to a log file in the case's
// directory, shown when the test fails.
type proc struct {
	name   string
	cmd    *exec.Cmd
	addr   string // the HTTP address it serves (ingress: API and /metrics; worker: /metrics)
	log    string
	exited chan struct{}
	killed atomic.Bool
}

// startProc runs `evtrigger args...` with a free port for its HTTP address (flag addrFlag) and
// waits until /healthz answers. The process is stopped when the test ends.
func startProc(t *testing.T, name, addrFlag string, args ...string) *proc {
	t.Helper()
	port, err := devserver.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, addr: "127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{})}
	p.log = filepath.Join(caseDir(t), name+".log")
	out, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	args = append(args, addrFlag, p.addr, "--log-level", "warn")
	p.cmd = exec.Command(env.bin, args...)
	p.cmd.Env = cleanEnv()
	p.cmd.Stdout, p.cmd.Stderr = out, out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); out.Close(); close(p.exited) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			logTail(t, p)
		}
	})
	testenv.Eventually(t, 60*time.Second, name+" answers /healthz", func() bool {
		if p.done() {
			logTail(t, p)
			t.Fatalf("%s exited before it was healthy", name)
		}
		code, _ := httpGet(p.addr, "/healthz")
		return code == http.StatusOK
	})
	return p
}

// cleanEnv is this process's environment without EVTRIGGER_ variables (the flags say it all),
// but with the Temporal CLI's location.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EVTRIGGER_") {
			out = append(out, kv)
		}
	}
	return out
}

func (p *proc) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	p.killed.Store(true)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !p.done() {
		t.Fatalf("kill %s: %v", p.name, err)
	}
	<-p.exited
}

// stop sends SIGTERM (a graceful stop: drain, commit, leave the group) and waits up to 30 s,
// then kills.
func (p *proc) stop() {
	if p.done() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// rss is the process's resident set size in bytes (VmRSS).
func (p *proc) rss() (int64, error) {
	n, err := procstat.RSS(p.cmd.Process.Pid)
	if err != nil {
		return 0, fmt.Errorf("rss of %s: %w", p.name, err)
	}
	return n, nil
}

// metric sums the samples of a counter or gauge on the process's /metrics whose line starts
// with prefix (name and, optionally, the first labels); -1 when /metrics does not answer.
func (p *proc) metric(prefix string) float64 {
	code, body := httpGet(p.addr, "/metrics")
	if code != http.StatusOK {
		return -1
	}
	var sum float64
	for line := range strings.Lines(body) {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}

func httpGet(addr, path string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// logTail logs the last 40 lines of the process's output.
func logTail(t *testing.T, p *proc) {
	data, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	t.Logf("--- last lines of %s (%s):\n%s", p.name, p.log, strings.Join(lines[max(0, len(lines)-40):], "\n"))
}
