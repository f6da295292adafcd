package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/task"
	"github.com/evtrigger/evtrigger/workflows"
)

// syncBuffer is a bytes.Buffer safe for the command's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checkExampleRan waits for the workflow and checks the example rule's script ran in it.
func checkExampleRan(t *testing.T, ctx context.Context, c client.Client, workflowID string) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, workflowID+" exists", func() bool {
		_, err := c.DescribeWorkflow(ctx, workflowID, "")
		return err == nil
	})
	var st workflows.Status
	if err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, &st); err != nil {
		t.Fatalf("workflow %s: %v", workflowID, err)
	}
	if len(st.Tasks) != 1 || !strings.Contains(st.Tasks[0].Result.Output, "processing high-value order order-12345") {
		raw, _ := json.Marshal(st)
		t.Fatalf("status of %s: %s", workflowID, raw)
	}
}

// devRun is `evtrigger dev` running inside a test, on free ports, from the repository root
// (the example rules and the topology are named relative to it).
type devRun struct {
	ctx          context.Context
	cancel       context.CancelFunc
	out          *syncBuffer
	done         chan error
	tport, kport int
}

// startDev runs `evtrigger dev` with extra flags; stop it with stop (Ctrl-C).
func startDev(t *testing.T, extra ...string) *devRun {
	t.Helper()
	tport, _ := devserver.FreePort("127.0.0.1")
	uiport, _ := devserver.FreePort("127.0.0.1")
	kport, _ := devserver.FreePort("127.0.0.1")
	t.Chdir("../..")
	ctx, cancel := context.WithCancel(context.Background())
	d := &devRun{ctx: ctx, cancel: cancel, out: &syncBuffer{}, done: make(chan error, 1), tport: tport, kport: kport}
	args := append([]string{"dev", "--data-dir", t.TempDir(), "--http-addr", "127.0.0.1:0",
		"--temporal-port", strconv.Itoa(tport), "--temporal-ui-port", strconv.Itoa(uiport),
		"--kafka-port", strconv.Itoa(kport), "--log-level", "warn"}, extra...)
	go func() { d.done <- run(ctx, args, d.out) }()
	t.Cleanup(cancel)
	return d
}

// stop cancels dev (as Ctrl-C does) and fails the test unless it returns nil within 30 s.
func (d *devRun) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("dev exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("dev did not stop within 30s of Ctrl-C")
	}
}

// TestDevRunsTheREADMEExample runs `evtrigger dev` (what `make run` runs) with free ports, posts
// the README's example event, and checks the example rule's script ran in a completed workflow;
// then cancels (Ctrl-C) and checks the Temporal dev server is gone.
func TestDevRunsTheREADMEExample(t *testing.T) {
	d := startDev(t)
	ctx, out, tport, kport := d.ctx, d.out, d.tport, d.kport
	addr := regexp.MustCompile(`POST http://(\S+)/api/v1/events`)
	testenv.Eventually(t, 60*time.Second, "dev mode prints its ingress address", func() bool {
		return addr.MatchString(out.String())
	})
	events := "http://" + addr.FindStringSubmatch(out.String())[1] + "/api/v1/events"

	resp, err := http.Post(events, "application/json", strings.NewReader(`{
	  "messageId": "msg-readme-1", "eventType": "order.created", "priority": "HIGH",
	  "payload": {"orderId": "order-12345", "amount": 1999.99}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	c, err := client.Dial(client.Options{HostPort: net.JoinHostPort("127.0.0.1", strconv.Itoa(tport))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	checkExampleRan(t, wctx, c, "event-msg-readme-1")

	// The same through the embedded Kafka broker, published with `evtrigger publish`.
	file := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(file, []byte(`{"messageId": "msg-readme-kafka", "eventType": "order.created",
	  "payload": {"orderId": "order-12345", "amount": 1999.99}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var pubOut bytes.Buffer
	if err := run(ctx, []string{"publish", "--kafka-brokers", "127.0.0.1:" + strconv.Itoa(kport), file}, &pubOut); err != nil {
		t.Fatalf("publish: %v", err)
	}
	checkExampleRan(t, wctx, c, "event-msg-readme-kafka")

	// Its task's outcomes went to the seed's schedule-tasks topic, keyed by event ID.
	outcomes := kafkatest.NewReader(t, []string{"127.0.0.1:" + strconv.Itoa(kport)}, "schedule-tasks")
	testenv.Eventually(t, 30*time.Second, "triggered and succeeded outcomes of msg-readme-kafka", func() bool {
		var got []string
		for _, r := range outcomes.Records() {
			var o task.Outcome
			if string(r.Key) == "msg-readme-kafka" && json.Unmarshal(r.Value, &o) == nil && o.RuleID == "order-created-trigger" {
				got = append(got, string(o.Status))
			}
		}
		return strings.Join(got, ",") == "triggered,succeeded"
	})

	// A dry-run replay of the topic finds that event, which already fired.
	var replayOut bytes.Buffer
	if err := run(ctx, []string{"replay", "--dry-run", "--kafka-brokers", "127.0.0.1:" + strconv.Itoa(kport),
		"--temporal-address", "127.0.0.1:" + strconv.Itoa(tport), "--rules", "rules/examples", "--log-level", "warn"}, &replayOut); err != nil {
		t.Fatalf("replay: %v", err)
	}
	if !regexp.MustCompile(`order-created-trigger\s+1\s+1\s+0`).MatchString(replayOut.String()) ||
		!strings.Contains(replayOut.String(), "replayed 1 record(s) of business-events") {
		t.Fatalf("replay output:\n%s", replayOut.String())
	}

	d.stop(t)
	if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(tport))); err != nil {
		t.Fatalf("the dev server still holds its port after stop: %v", err)
	} else {
		l.Close()
	}
}
