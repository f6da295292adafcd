package ingress

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/metrics"
)

// ProcessorOptions configure a Processor. The zero value works.
type ProcessorOptions struct {
	// MaxEventSize caps a message body in bytes. Default event.DefaultMaxSize (1 MiB).
	MaxEventSize int
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Source is the source kind in metrics, such as metrics.SourceKafka. Default "broker".
	Source string
	// Metrics receives the message metrics (received, processed by outcome, errors by reason,
	// processing time). Nil: none.
	Metrics *metrics.Metrics
}

// Processor is the Handler every broker source runs: it parses a Message into an Event and
// starts the event's workflow.
type Processor struct {
	starter *Starter
	opts    ProcessorOptions
}

// NewProcessor returns a Processor starting workflows through starter.
func NewProcessor(starter *Starter, opts ProcessorOptions) *Processor {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Source == "" {
		opts.Source = "broker"
	}
	opts.Metrics.InitSource(opts.Source)
	return &Processor{starter: starter, opts: opts}
}

// Handle parses m and starts its workflow. It returns nil once the start was acknowledged (or
// was a duplicate, or the event was filtered); a *PoisonError for a message that is not a valid
// event or that Temporal refuses; and the (transient) start error otherwise, such as
// ErrUnavailable. Headers become metadata of the event where the body did not set the key.
//
// Metrics: a message counts as received at m.Attempt 0; as processed with the outcome started,
// duplicate, filtered, or dead_lettered when Handle returns a *PoisonError; an error counts
// under its reason, also each transient one (unless ctx ended).
func (p *Processor) Handle(ctx context.Context, m Message) error {
	received := m.ReceivedAt
	if received.IsZero() {
		received = time.Now()
	}
	src, mt := p.opts.Source, p.opts.Metrics
	if m.Attempt == 0 {
		mt.MessageReceived(src)
	}
	ev, err := event.Parse(m.Body, event.Options{
		MaxSize:   p.opts.MaxEventSize,
		DefaultID: func([]byte) string { return m.DefaultID },
		Now:       func() time.Time { return received },
	})
	if err != nil {
		mt.MessageError(src, ParseErrorReason(err))
		mt.MessageProcessed(src, metrics.OutcomeDeadLettered, received)
		return Poison(err)
	}
	for k, v := range m.Headers {
		if _, set := ev.Metadata[k]; !set {
			ev.Metadata[k] = v
		}
	}
	out, err := p.starter.StartInOrder(ctx, ev, m.Ticket)
	if err != nil && ctx.Err() == nil {
		mt.MessageError(src, StartErrorReason(err))
	}
	switch {
	case errors.Is(err, ErrRejected):
		mt.MessageProcessed(src, metrics.OutcomeDeadLettered, received)
		return Poison(err)
	case err != nil:
		return err
	}
	mt.MessageProcessed(src, out.MetricsOutcome(), received)
	p.opts.Logger.Debug("event handled", "event_id", ev.ID, "trace_id", ev.TraceID(), "origin", m.Origin,
		"duplicate", out.Duplicate, "filtered", out.Filtered)
	return nil
}

// Screen reports whether a message with this body is certainly a valid event that the starter
// filters (see Starter.Filters), telling it at a fraction of Handle's cost (event.Screen): the
// message then needs no Handle call, and Screen has counted it as received and filtered. False
// only means "Handle it": the body may match a rule, be malformed (Handle dead-letters it), or be
// one event.Screen cannot judge cheaply. A broker source screens a message as it receives it,
// before any Handle call: a Kafka record once per fetch, an AMQP delivery (a republished retry
// included) once per delivery, as Handle would count it received.
func (p *Processor) Screen(body []byte) bool {
	typ, ok := event.Screen(body, p.opts.MaxEventSize)
	if !ok || !p.starter.Filters(typ) {
		return false
	}
	p.opts.Metrics.MessageReceived(p.opts.Source)
	p.opts.Metrics.MessageProcessed(p.opts.Source, metrics.OutcomeFiltered, time.Time{})
	return true
}

// Handler returns p.Handle as a Handler.
func (p *Processor) Handler() Handler { return p.Handle }
