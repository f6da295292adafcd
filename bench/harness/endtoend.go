package harness

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/activities"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/worker"
)

// e2eRule is the one rule of the end-to-end runs: it matches every order.created event of the
// harness and posts the event ID and its send time to the sink.
const e2eRule = `taskTriggerRules:
  - ruleId: bench-sink
    eventType: order.created
    condition: payload.amount > 1000
    taskType: http
    timeout: 10s # within workflows.LocalTaskMaxTimeout: the task runs as a local activity
    parameters:
      url: %s/task
      method: POST
      body: {id: "${eventId}", sentAt: "${payload.sentAt}"}
    retry: {maxAttempts: 3, initialInterval: 100ms}
`

// e2eStack is evtrigger's real pieces wired as `evtrigger dev` wires them: a Kafka source
// feeding the processor and the idempotent starter, and a worker with the activities.
type e2eStack struct {
	env        *Env
	topic      string
	sink       *sink
	wc, sc     client.Client // worker's and starter's clients: the same one unless split
	w          sdkworker.Worker
	proc       *ingress.Processor
	stopSource context.CancelFunc
	sourceDone chan error
}

// newE2EStack starts the stack on a topic (12 partitions) and consumer group named name. With
// split, the starter gets a client of its own and starts without eager start, as an ingress
// process separate from the workers would.
func (e *Env) newE2EStack(ctx context.Context, name string, split bool, maxInFlight, workerSlots int) (_ *e2eStack, err error) {
	s := &e2eStack{env: e, topic: "bench-" + name, sink: newSink()}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	rs, err := loadRules(fmt.Sprintf(e2eRule, s.sink.srv.URL))
	if err != nil {
		return nil, err
	}
	if s.wc, err = e.Dial(); err != nil {
		return nil, err
	}
	s.sc = s.wc
	if split {
		if s.sc, err = e.Dial(); err != nil {
			return nil, err
		}
	}
	acts, err := activities.New(activities.Options{Rules: rs, Logger: e.Logger})
	if err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	s.w = worker.New(s.wc, acts, worker.Options{TaskQueue: s.topic,
		MaxConcurrentWorkflowTasks: workerSlots, MaxConcurrentActivities: workerSlots})
	if err := s.w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	starter := ingress.NewStarter(s.sc, rs, ingress.StarterOptions{TaskQueue: s.topic, EagerStart: !split})
	s.proc = ingress.NewProcessor(starter, ingress.ProcessorOptions{Logger: e.Logger})
	if err := s.startSource(ctx, s.proc, maxInFlight); err != nil {
		return nil, err
	}
	return s, nil
}

// startSource creates the topic and runs a Kafka source with its default options on it, as
// evtrigger runs it (screening with proc, handling with proc), but for maxInFlight when it is
// positive.
func (s *e2eStack) startSource(ctx context.Context, proc *ingress.Processor, maxInFlight int) error {
	if err := s.env.CreateTopics(ctx, 12, s.topic, s.topic+".dlq"); err != nil {
		return err
	}
	src, err := kafka.New(kafka.Options{Conn: kafka.Conn{Brokers: s.env.Brokers()}, Topics: []string{s.topic},
		Group: s.topic, MaxInFlight: maxInFlight, Screen: proc.Screen, Logger: s.env.Logger})
	if err != nil {
		return fmt.Errorf("kafka source: %w", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	s.stopSource, s.sourceDone = cancel, make(chan error, 1)
	go func() { s.sourceDone <- src.Run(sctx, proc.Handle) }()
	return nil
}

// offer produces the event id to the topic, its send time in its payload.
func (s *e2eStack) offer(errs chan<- error) offerFunc {
	return func(ctx context.Context, id string, sentAt time.Time) error {
		s.env.Produce(ctx, s.topic, id, e2eBody(id, sentAt), errs)
		return nil
	}
}

// e2eBody is the event the end-to-end stack is offered: an order.created that matches the
// bench's rule, carrying its send time (Unix nanoseconds) in payload.sentAt.
func e2eBody(id string, sentAt time.Time) []byte {
	return []byte(`{"messageId":"` + id + `","eventType":"order.created","source":"evbench",` +
		`"payload":{"orderId":"` + id + `","amount":5000,"sentAt":"` + strconv.FormatInt(sentAt.UnixNano(), 10) + `"}}`)
}

// close stops the source, the worker and the clients.
func (s *e2eStack) close() {
	var errs []error
	if s.stopSource != nil {
		s.stopSource()
		errs = append(errs, <-s.sourceDone)
	}
	if s.w != nil {
		s.w.Stop()
	}
	if s.sc != nil && s.sc != s.wc {
		s.sc.Close()
	}
	if s.wc != nil {
		s.wc.Close()
	}
	s.sink.close()
	if err := errors.Join(errs...); err != nil {
		s.env.Logger.Warn("kafka source stopped with an error", "error", err)
	}
}

// openE2E starts evtrigger's end-to-end stack: events produced to Kafka, each matching the one
// rule, whose HTTP task reaches the sink. With split the starter and the worker do not share a
// client (no eager start).
func (e *Env) openE2E(ctx context.Context, name string, split bool, p Phases) (*system, *e2eStack, error) {
	s, err := e.newE2EStack(ctx, name, split, p.MaxInFlight, p.WorkerSlots)
	if err != nil {
		return nil, nil, err
	}
	errs := make(chan error, 1)
	return &system{name: name, client: s.wc, tq: s.topic, offer: s.offer(errs),
		arrivals: func(r *recorder) { s.sink.rec.Store(r) }, errs: errs, close: s.close}, s, nil
}

// direct is the stack without the broker: each event handed straight to the processor
// (Processor.Handle: parse, pre-filter, start), on the stack's worker and sink. Closing it
// leaves the stack running: the end-to-end system closes it.
func (s *e2eStack) direct(name string) *system {
	offer := func(ctx context.Context, id string, sentAt time.Time) error {
		return s.proc.Handle(ctx, ingress.Message{Body: e2eBody(id, sentAt), DefaultID: id, Origin: "evbench " + id})
	}
	return &system{name: name, client: s.wc, tq: s.topic, offer: offer,
		arrivals: func(r *recorder) { s.sink.rec.Store(r) }, close: func() {}}
}

// loadRules compiles rules from YAML text into a static source.
func loadRules(yamlText string) (rules.Source, error) {
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		return nil, fmt.Errorf("cel env: %w", err)
	}
	compiled, err := rules.Parse("bench-rules.yaml", []byte(yamlText), env)
	if err != nil {
		return nil, fmt.Errorf("load bench rules: %w", err)
	}
	return rules.NewStatic(rules.NewSet(compiled)), nil
}
