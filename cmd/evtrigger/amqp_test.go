package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// TestDevWithRabbitMQ runs `evtrigger dev --amqp-url` against a vhost of the real broker: it
// declares the example topology and consumes. An event published by an independent client
// (amqp-publish of the Debian amqp-tools) to business.event.exchange with routing key
// order.created runs the example rule's script, so does one sent with `evtrigger publish`; a
// message that is no event lands in schedule.dlx.queue with its reason, and `evtrigger dlq
// redrive` moves it back.
func TestDevWithRabbitMQ(t *testing.T) {
	vh := amqptest.NewVhost(t)
	dev := startDev(t, "--amqp-url", vh.URL())
	ctx, tport := dev.ctx, dev.tport
	testenv.Eventually(t, 60*time.Second, "dev mode consumes schedule.task.queue", func() bool {
		return consumers(vh, "schedule.task.queue") > 0
	})
	amqptest.Output(t, "amqp-publish", "--url="+vh.URL(), "-e", "business.event.exchange", "-r", "order.created",
		"-p", "-C", "application/json", "-b", `{"messageId": "msg-amqp-1", "eventType": "order.created",
		  "payload": {"orderId": "order-777", "amount": 1999.99}}`)
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"eventType": "order.created", "payload": {"orderId": "order-888", "amount": 5000}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pubOut := &syncBuffer{}
	if err := run(ctx, []string{"publish", "--amqp-url", vh.URL(), "--routing-key", "order.created",
		"--message-id", "msg-amqp-2", event}, pubOut); err != nil || !strings.Contains(pubOut.String(), "confirmed") {
		t.Fatalf("publish: %v %s", err, pubOut)
	}
	c, err := client.Dial(client.Options{HostPort: net.JoinHostPort("127.0.0.1", strconv.Itoa(tport))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for id, order := range map[string]string{"msg-amqp-1": "order-777", "msg-amqp-2": "order-888"} {
		if output := taskOutput(t, c, "event-"+id); !strings.Contains(output, "processing high-value order "+order) {
			t.Errorf("%s: task output %q", id, output)
		}
	}

	amqptest.Output(t, "amqp-publish", "--url="+vh.URL(), "-e", "business.event.exchange", "-r", "order.created", "-b", "not json")
	ch := vh.Channel(t)
	var d amqp091.Delivery
	testenv.Eventually(t, 60*time.Second, "a dead letter in schedule.dlx.queue", func() bool {
		var ok bool
		d, ok, err = ch.Get("schedule.dlx.queue", true)
		return err == nil && ok
	})
	if reason, _ := d.Headers[amqp.HeaderError].(string); string(d.Body) != "not json" || !strings.Contains(reason, "JSON") {
		t.Errorf("dead letter %q, reason %q", d.Body, reason)
	}
	dev.stop(t)
	testDLQRedrive(t, vh)
}

// testDLQRedrive puts a dead letter into schedule.dlx.queue and redrives it with the command.
func testDLQRedrive(t *testing.T, vh *amqptest.Vhost) {
	amqptest.Output(t, "amqp-publish", "--url="+vh.URL(), "-e", "schedule.dlx", "-r", "schedule.dlx", "-b", "dead",
		"-H", amqp.HeaderOriginalExchange+": business.event.exchange", "-H", amqp.HeaderOriginalRoutingKey+": order.created")
	out := &syncBuffer{}
	err := run(context.Background(), []string{"dlq", "redrive", "--amqp-url", vh.URL(), "--queue", "schedule.dlx.queue", "--rate", "100/s"}, out)
	if err != nil || !strings.Contains(out.String(), "redrove 1 dead letters") {
		t.Fatalf("redrive: %v %s", err, out)
	}
	if n := vh.Depth(t, "schedule.task.queue"); n != 1 {
		t.Fatalf("%d messages in schedule.task.queue after the redrive, want 1", n)
	}
}

// consumers is the queue's consumer count; 0 while the queue does not exist.
func consumers(vh *amqptest.Vhost, queue string) int {
	conn, err := amqp091.Dial(vh.URL())
	if err != nil {
		return 0
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0
	}
	q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	if err != nil {
		return 0
	}
	return q.Consumers
}

// taskOutput waits for the workflow and returns its first task's output.
func taskOutput(t *testing.T, c client.Client, workflowID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var st workflows.Status
	if err := c.GetWorkflow(ctx, workflowID, "").Get(ctx, &st); err != nil {
		t.Fatalf("workflow %s: %v", workflowID, err)
	}
	if len(st.Tasks) != 1 {
		raw, _ := json.Marshal(st)
		t.Fatalf("status of %s: %s", workflowID, raw)
	}
	return st.Tasks[0].Result.Output
}
