// Package faults is evtrigger's fault suite (`make test-faults`, build tag faults): the real
// evtrigger binary as separate worker and ingress processes against a real Temporal dev server
// (SQLite, restartable), kfake or RabbitMQ, and an HTTP sink that records every task request
// with its Idempotency-Key. Each case sends thousands of events while a fault is injected
// (processes SIGKILLed, brokers and Temporal restarted or stopped, rules changed, replicas
// joining and leaving), then reconciles the event IDs sent, the workflows in Temporal's
// visibility and the task executions at the sink: no event lost, no task executed twice.
// docs/RELIABILITY.md describes the cases and holds the figures of a run.
package faults
