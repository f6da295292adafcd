package kafka

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/evtrigger/evtrigger/task"
)

// DefaultOutcomeTopic is the seed's topic for task outcomes.
const DefaultOutcomeTopic = "schedule-tasks"

// OutcomePublisher publishes task outcomes as JSON to a topic, keyed by event ID (so one event's
// outcomes stay in one partition), acks=all; it implements activities.OutcomePublisher.
type OutcomePublisher struct {
	pub   *Publisher
	topic string
}

// NewOutcomePublisher connects an OutcomePublisher to topic (DefaultOutcomeTopic when empty).
func NewOutcomePublisher(conn Conn, topic string) (*OutcomePublisher, error) {
	if topic == "" {
		topic = DefaultOutcomeTopic
	}
	pub, err := NewPublisher(conn)
	if err != nil {
		return nil, err
	}
	return &OutcomePublisher{pub: pub, topic: topic}, nil
}

// PublishOutcome writes o and waits for the acknowledgement.
func (p *OutcomePublisher) PublishOutcome(ctx context.Context, o task.Outcome) error {
	value, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode outcome: %w", err)
	}
	return p.pub.Publish(ctx, Record{Topic: p.topic, Key: []byte(o.EventID), Value: value,
		Headers: map[string]string{"evtrigger-outcome": string(o.Status)}})
}

// Close closes the connections.
func (p *OutcomePublisher) Close() { p.pub.Close() }
