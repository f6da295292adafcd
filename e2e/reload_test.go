package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/pgtest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestRuleChangeReachesAnotherProcess runs two `evtrigger ingress` processes on one PostgreSQL
// rule store; a rule disabled through the API of one stops matching on the other (its ingress
// pre-filter answers 200 filtered instead of 202) within 2 s, without a restart.
func TestRuleChangeReachesAnotherProcess(t *testing.T) {
	bin := buildEvtrigger(t)
	dsn := pgtest.NewDatabase(t)
	a := startIngress(t, bin, dsn)
	b := startIngress(t, bin, dsn)

	rule := `{"ruleId":"reload-me","eventType":"reload.test","taskType":"shell","parameters":{"script":"/bin/true"}}`
	if code, body := send(t, "POST", a+"/api/v1/task-trigger-rules", rule); code != http.StatusCreated {
		t.Fatalf("create through a: %d %s", code, body)
	}
	n := 0
	postTo := func(base string) int {
		n++
		code, _ := send(t, "POST", base+"/api/v1/events", fmt.Sprintf(`{"messageId":"reload-%d-%d","eventType":"reload.test"}`, time.Now().UnixNano(), n))
		return code
	}
	testenv.Eventually(t, 2*time.Second, "the new rule matches on b", func() bool { return postTo(b) == http.StatusAccepted })

	if code, body := send(t, "POST", a+"/api/v1/task-trigger-rules/reload-me/disable", ""); code != http.StatusOK {
		t.Fatalf("disable through a: %d %s", code, body)
	}
	testenv.Eventually(t, 2*time.Second, "the disabled rule stops matching on b", func() bool {
		return postTo(b) == http.StatusOK
	})
	testenv.Eventually(t, 2*time.Second, "the disabled rule stops matching on a too", func() bool {
		return postTo(a) == http.StatusOK
	})
}

// buildEvtrigger builds the binary into a temporary directory.
func buildEvtrigger(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "evtrigger")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/evtrigger")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startIngress runs `evtrigger ingress` on a free port against the shared dev server and the
// rule store dsn, waits for its health check, and returns its base URL. It is killed when the
// test ends.
func startIngress(t *testing.T, bin, dsn string) string {
	t.Helper()
	port, err := devserver.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logs := &bytes.Buffer{}
	cmd := exec.Command(bin, "ingress", "--temporal-address", temporal.Address(), "--rules-dsn", dsn,
		"--http-addr", addr, "--task-queue", "reload-test", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "EVTRIGGER_API_TOKEN=") // no token, whatever the environment says
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	base := "http://" + addr
	testenv.Eventually(t, 30*time.Second, "evtrigger ingress answers /healthz", func() bool {
		select {
		case <-exited:
			t.Fatalf("evtrigger ingress exited:\n%s", logs.String())
		default:
		}
		code, _ := send(t, "GET", base+"/healthz", "")
		return code == http.StatusOK
	})
	return base
}

// send makes one request; a connection error is status 0.
func send(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}
