// Package harness measures evtrigger on the embedded stack: one Temporal dev server (SQLite with
// WAL) and one Kafka-protocol broker (kfake, in a child process), against which it runs, in
// sequence and in the same process tree, the Temporal ceiling programs, evtrigger end to end,
// the ingress pre-filter against a bare franz-go consumer, and the rule benchmarks. It is used by
// bench/cmd/evbench only and is never linked into the evtrigger binary.
package harness
