package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestKafkaEventsFromKcat: events produced by an independent client (kcat, librdkafka) trigger
// their workflows.
func TestKafkaEventsFromKcat(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat not found: `make test` installs it (apt-get install kcat)")
	}
	c := kafkatest.NewCluster(t, 3, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	startConsumer(t, c.SourceOptions("kcat", 16, "orders"), ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{}).Handle)

	cmd := exec.Command(kcat, "-b", c.Brokers()[0], "-t", "orders", "-P", "-K", "|")
	cmd.Stdin = strings.NewReader("kcat-00000|" + strings.ReplaceAll(orderEvent("kcat-00000", 5000), "\n", " ") + "\n" +
		"kcat-00001|" + strings.ReplaceAll(orderEvent("kcat-00001", 5000), "\n", " ") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	waitTasks(t, sk, "kcat", 0, 2, 60*time.Second)
}
