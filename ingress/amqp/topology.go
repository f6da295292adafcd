package amqp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Topology is the exchanges, queues and bindings a source declares on every connect, loaded
// from YAML (see deploy/rabbitmq/topology.yaml):
//
//	exchanges: [{name: business.event.exchange, type: topic}]
//	queues:    [{name: schedule.task.queue, messageTTL: 24h, maxLength: 10000, deadLetterExchange: schedule.dlx}]
//	bindings:  [{exchange: business.event.exchange, queue: schedule.task.queue, routingKey: "order.*"}]
//
// Declaring is idempotent. Declaring a queue or exchange that exists with other settings fails
// with ErrTopologyConflict naming the setting that differs.
type Topology struct {
	Exchanges []Exchange `yaml:"exchanges"`
	Queues    []Queue    `yaml:"queues"`
	Bindings  []Binding  `yaml:"bindings"`
}

// Exchange is one exchange to declare.
type Exchange struct {
	Name string `yaml:"name"`
	// Type is direct, topic, fanout or headers. Required.
	Type string `yaml:"type"`
	// Durable exchanges survive a broker restart. Default true.
	Durable *bool `yaml:"durable"`
	// AutoDelete deletes the exchange when its last binding goes. Default false.
	AutoDelete bool `yaml:"autoDelete"`
}

// Queue is one queue to declare. The optional settings become the queue's x-arguments.
type Queue struct {
	Name string `yaml:"name"`
	// Type is classic or quorum (x-queue-type). Default classic.
	Type string `yaml:"type"`
	// Durable queues survive a broker restart. Default true; quorum queues are always durable.
	Durable *bool `yaml:"durable"`
	// AutoDelete deletes the queue when its last consumer goes (classic only). Default false.
	AutoDelete bool `yaml:"autoDelete"`
	// MessageTTL (x-message-ttl), a duration in whole milliseconds such as 24h. Default none.
	MessageTTL time.Duration `yaml:"messageTTL"`
	// MaxLength (x-max-length) is the most messages the queue holds; the oldest are dropped
	// (dead-lettered, with a dead-letter exchange) beyond it. Default none.
	MaxLength int64 `yaml:"maxLength"`
	// DeadLetterExchange (x-dead-letter-exchange) receives the queue's rejected, expired and
	// overflowing messages, and the source's poison messages. Default none.
	DeadLetterExchange string `yaml:"deadLetterExchange"`
	// DeadLetterRoutingKey (x-dead-letter-routing-key) replaces the routing key of dead
	// letters. Default: the message's own.
	DeadLetterRoutingKey string `yaml:"deadLetterRoutingKey"`
	// DeliveryLimit (x-delivery-limit, quorum only) dead-letters a message after this many
	// redeliveries by the broker (consumer crashes). Default: the broker's.
	DeliveryLimit int `yaml:"deliveryLimit"`
}

// Binding binds a queue to an exchange.
type Binding struct {
	Exchange string `yaml:"exchange"`
	Queue    string `yaml:"queue"`
	// RoutingKey is the binding key: exact for direct exchanges, a pattern for topic exchanges
	// (order.*, schedule.task.#), ignored by fanout and headers exchanges.
	RoutingKey string `yaml:"routingKey"`
	// Headers are the header values a headers exchange matches (strings).
	Headers map[string]string `yaml:"headers"`
	// Match is all (every header must match) or any. Default all. Headers exchanges only.
	Match string `yaml:"match"`
}

// LoadTopology reads and validates a topology file.
func LoadTopology(path string) (*Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("amqp: read topology: %w", err)
	}
	t, err := ParseTopology(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseTopology decodes and validates a topology from YAML; unknown fields are errors.
func ParseTopology(data []byte) (*Topology, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var t Topology
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode topology: %w", err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Validate checks the topology: names set and unique, known kinds, arguments that fit the
// queue type, and bindings and dead-letter exchanges that refer to declared exchanges and
// queues (or to the broker's own amq.* exchanges). All problems are joined into one error.
func (t *Topology) Validate() error {
	var errs []error
	exchanges := map[string]Exchange{}
	for i, e := range t.Exchanges {
		if err := e.validate(exchanges); err != nil {
			errs = append(errs, fmt.Errorf("exchanges[%d]: %w", i, err))
		}
		exchanges[e.Name] = e
	}
	queues := map[string]bool{}
	for i, q := range t.Queues {
		if err := q.validate(queues, exchanges); err != nil {
			errs = append(errs, fmt.Errorf("queues[%d]: %w", i, err))
		}
		queues[q.Name] = true
	}
	for i, b := range t.Bindings {
		if err := b.validate(exchanges, queues); err != nil {
			errs = append(errs, fmt.Errorf("bindings[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func (e Exchange) validate(seen map[string]Exchange) error {
	switch {
	case e.Name == "":
		return errors.New("name is required")
	case strings.HasPrefix(e.Name, "amq."):
		return fmt.Errorf("exchange %q: names starting with amq. are reserved by the broker", e.Name)
	case seen[e.Name].Name != "":
		return fmt.Errorf("exchange %q declared twice", e.Name)
	}
	switch e.Type {
	case "direct", "topic", "fanout", "headers":
		return nil
	}
	return fmt.Errorf("exchange %q: type %q is not direct, topic, fanout or headers", e.Name, e.Type)
}

func (q Queue) validate(seen map[string]bool, exchanges map[string]Exchange) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case q.Name == "":
		return errors.New("name is required")
	case strings.HasPrefix(q.Name, "amq."):
		bad("names starting with amq. are reserved by the broker")
	case seen[q.Name]:
		bad("declared twice")
	}
	switch q.Type {
	case "", "classic":
		if q.DeliveryLimit != 0 {
			bad("deliveryLimit (x-delivery-limit) applies to quorum queues only")
		}
	case "quorum":
		if q.Durable != nil && !*q.Durable {
			bad("quorum queues are always durable")
		}
		if q.AutoDelete {
			bad("quorum queues cannot be autoDelete")
		}
	default:
		bad("type %q is not classic or quorum", q.Type)
	}
	if q.MessageTTL < 0 || q.MessageTTL%time.Millisecond != 0 {
		bad("messageTTL %s is not a positive whole number of milliseconds", q.MessageTTL)
	}
	if q.MaxLength < 0 || q.DeliveryLimit < 0 {
		bad("maxLength and deliveryLimit must not be negative")
	}
	if q.DeadLetterExchange == "" && q.DeadLetterRoutingKey != "" {
		bad("deadLetterRoutingKey without deadLetterExchange")
	}
	if x := q.DeadLetterExchange; x != "" && !known(exchanges, x) {
		bad("deadLetterExchange %q is not declared", x)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("queue %q: %w", q.Name, err)
	}
	return nil
}

func (b Binding) validate(exchanges map[string]Exchange, queues map[string]bool) error {
	switch {
	case !known(exchanges, b.Exchange):
		return fmt.Errorf("exchange %q is not declared", b.Exchange)
	case !queues[b.Queue]:
		return fmt.Errorf("queue %q is not declared", b.Queue)
	}
	headers := exchanges[b.Exchange].Type == "headers" || b.Exchange == "amq.headers" ||
		strings.HasPrefix(b.Exchange, "amq.match")
	switch {
	case headers && len(b.Headers) == 0:
		return fmt.Errorf("%s -> %s: a headers exchange needs headers to match", b.Exchange, b.Queue)
	case !headers && (len(b.Headers) > 0 || b.Match != ""):
		return fmt.Errorf("%s -> %s: headers and match apply to headers exchanges only", b.Exchange, b.Queue)
	case b.Match != "" && b.Match != "all" && b.Match != "any":
		return fmt.Errorf("%s -> %s: match %q is not all or any", b.Exchange, b.Queue, b.Match)
	}
	return nil
}

// known reports whether name is declared in the topology or is one of the broker's own
// exchanges.
func known(exchanges map[string]Exchange, name string) bool {
	return exchanges[name].Name != "" || strings.HasPrefix(name, "amq.")
}

// queue returns the topology's entry for the named queue; t may be nil.
func (t *Topology) queue(name string) (Queue, bool) {
	if t == nil {
		return Queue{}, false
	}
	for _, q := range t.Queues {
		if q.Name == name {
			return q, true
		}
	}
	return Queue{}, false
}
