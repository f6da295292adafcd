// Package harness measures evtrigger on the embedded stack: one Temporal dev server (SQLite with
// WAL) and one Kafka-protocol broker (kfake, in a child process), against which it runs, in the
// same process tree, the Temporal ceiling programs, evtrigger end to end (and without the
// broker), the Kafka hop alone, the ingress pre-filter against a bare franz-go consumer, and the
// rule benchmarks. Throughputs are measured one system after the other; the latencies of the
// systems compared with each other are taken in turns (see latencies). It is used by
// bench/cmd/evbench only and is never linked into the evtrigger binary.
package harness
