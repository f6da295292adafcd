//go:build faults

package faults

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// Outage parameters of case 8: during the 30 s outage 2,500 events of 32 KiB each (whitespace
// the parser drops) arrive on one partition: an 80 MiB backlog. The Kafka source holds at most
// MaxBufferedPerPartition (1,000) records of a partition before it pauses fetching, 32 MiB of
// records. rssGrowthBound allows twice that (the garbage collector lets the heap grow to twice
// what is live: measured, 750 records of 32 KiB grew the RSS by 49 MiB) plus 32 MiB for the
// fetch in flight and the parsed events; holding the whole backlog would take over 160 MiB.
const (
	outage         = 30 * time.Second
	outagePad      = 32 << 10
	rssGrowthBound = 96 << 20
)

// TestCase08TemporalUnreachable stops Temporal for 30 s while events keep arriving: the
// ingress's memory stays bounded, no offset is committed during the outage, and once Temporal
// is back every event starts one workflow and runs its task once.
func TestCase08TemporalUnreachable(t *testing.T) {
	srv, err := testenv.StartTemporal(context.Background(), caseDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	d := newDeployment(t, "outage", srv.Address())
	k := newKafkaClient(t)
	k.createTopics(t, 1, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker")
	in := d.startKafkaIngress("ingress")
	before, during := env.events/4, env.events*5/4
	d.produceEvents(k, 0, before, 0)
	d.waitExecuted(before, 5*time.Minute)
	baseline := sampleRSS(t, in, 2*time.Second)

	errorsBefore := in.metric("evtrigger_message_errors_total")
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	d.produceEvents(k, before, before+during, outagePad)
	committedEarly := waitCommitsSettled(t, k, d.group(), in, errorsBefore)
	peak := sampleRSS(t, in, outage-time.Since(down))
	committedLate := k.committed(t, d.group())
	if !maps.EqualFunc(committedEarly, committedLate, maps.Equal) {
		t.Errorf("offsets committed while Temporal was down: %v, then %v", committedEarly, committedLate)
	}
	if growth := peak - baseline; growth > rssGrowthBound {
		t.Errorf("ingress RSS grew by %d MiB during the outage (baseline %d MiB), want at most %d MiB",
			growth>>20, baseline>>20, rssGrowthBound>>20)
	}
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatalf("start temporal again: %v", err)
	}
	up := time.Now()
	d.waitExecuted(before+1, 3*time.Minute)
	recovery := time.Since(up)
	d.waitExecuted(before+during, 5*time.Minute)
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "8. Temporal unreachable for 30 s", Recovery: recovery,
		Note: fmt.Sprintf("%d events (%d MiB) arrived during the outage; ingress RSS %d MiB before, peak %d MiB during; offsets unchanged during the outage",
			during, during*outagePad>>20, baseline>>20, peak>>20)})
}

// sampleRSS samples the process's RSS every 200 ms for d and returns the largest value.
func sampleRSS(t *testing.T, p *proc, d time.Duration) int64 {
	t.Helper()
	var peak int64
	testenv.Poll(d, 200*time.Millisecond, func() bool { // never done early: samples until d
		rss, err := p.rss()
		if err != nil {
			t.Fatal(err)
		}
		peak = max(peak, rss)
		return false
	})
	return peak
}

// waitCommitsSettled returns the group's committed offsets once the ingress has failed a start
// (it sees the outage: nothing starts any more) and two reads a commit interval or more apart
// agree (the commits of starts acknowledged before the outage have landed).
func waitCommitsSettled(t *testing.T, k *kafkaClient, group string, in *proc, errorsBefore float64) map[string]map[int32]int64 {
	t.Helper()
	testenv.Eventually(t, time.Minute, "the ingress fails starts", func() bool {
		return in.metric("evtrigger_message_errors_total") > errorsBefore
	})
	last := k.committed(t, group)
	if !testenv.Poll(30*time.Second, time.Second, func() bool { // 1 s: twice the commit interval
		now := k.committed(t, group)
		settled := maps.EqualFunc(last, now, maps.Equal)
		last = now
		return settled
	}) {
		t.Fatal("the committed offsets did not settle within 30 s of the outage")
	}
	return last
}
