package kafka_test

import (
	"context"
	"os"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
)

func TestCreateTopicsFromTheSeedFile(t *testing.T) {
	specs, err := kafka.LoadTopicSpecs("../../deploy/kafka/topics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range specs {
		specs[i].ReplicationFactor = 1 // one broker
	}
	c := kafkatest.NewCluster(t, 1) // no topics seeded
	conn := kafka.Conn{Brokers: c.Brokers()}
	res, err := kafka.CreateTopics(context.Background(), conn, specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.Created || r.Err != nil {
			t.Fatalf("first run: %+v", r)
		}
	}
	again, err := kafka.CreateTopics(context.Background(), conn, specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again {
		if !r.Exists || r.Err != nil {
			t.Fatalf("second run (idempotent): %+v", r)
		}
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	details, err := adm.ListTopics(context.Background(), "business-events", "schedule-tasks")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(details["business-events"].Partitions); n != 12 {
		t.Errorf("business-events has %d partitions, want 12", n)
	}
	if n := len(details["schedule-tasks"].Partitions); n != 6 {
		t.Errorf("schedule-tasks has %d partitions, want 6", n)
	}
	cfgs, err := adm.DescribeTopicConfigs(context.Background(), "business-events")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rc := range cfgs {
		for _, cfg := range rc.Configs {
			if cfg.Value != nil {
				got[cfg.Key] = *cfg.Value
			}
		}
	}
	for k, want := range map[string]string{"retention.ms": "604800000", "compression.type": "snappy", "cleanup.policy": "delete"} {
		if got[k] != want {
			t.Errorf("business-events %s = %q, want %q", k, got[k], want)
		}
	}
}

func TestLoadTopicSpecsRefusesIncompleteTopics(t *testing.T) {
	path := t.TempDir() + "/topics.yaml"
	if err := writeFile(path, "topics:\n  - name: x\n    partitions: 0\n    replicationFactor: 1\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := kafka.LoadTopicSpecs(path); err == nil {
		t.Fatal("a topic with 0 partitions was accepted")
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }
