package ingress

import (
	"context"
	"sync"
)

// Arrivals keeps the arrival order of one ordered stream of messages (a Kafka partition, an
// AMQP consumer) across the concurrent handling of its messages. The source takes a Ticket for
// each message in arrival order and hands it over with the message; the handler declares the
// message's ordering keys on it, and Wait then holds it until every earlier message with a
// shared key is Done. The zero value is not ready; use NewArrivals.
type Arrivals struct {
	mu   sync.Mutex
	prev chan struct{}            // closed once the latest ticket has declared its keys
	last map[string]chan struct{} // key → closed when the latest ticket with it is done
}

// NewArrivals returns an empty stream.
func NewArrivals() *Arrivals {
	first := make(chan struct{})
	close(first)
	return &Arrivals{prev: first, last: map[string]chan struct{}{}}
}

// Ticket is one message's place in its stream. A nil *Ticket (an unordered source such as
// HTTP, where a client that cares about order waits for each answer) waits for nothing.
type Ticket struct {
	a        *Arrivals
	prev     chan struct{} // the previous ticket's declaration
	declared chan struct{}
	once     sync.Once
	after    []chan struct{} // earlier tickets sharing a key
	mine     []chan struct{} // closed by Done
	keys     []string
	doneOnce sync.Once
}

// Ticket returns the next message's ticket. Call it in arrival order, and call Done on every
// ticket, however its message ends.
func (a *Arrivals) Ticket() *Ticket {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := &Ticket{a: a, prev: a.prev, declared: make(chan struct{})}
	a.prev = t.declared
	return t
}

// Declare places the message after the earlier messages of the same keys, once every earlier
// message has declared its own. Only the first call counts (a message handled again keeps its
// place). It fails only when ctx ends first.
func (t *Ticket) Declare(ctx context.Context, keys []string) error {
	if t == nil {
		return nil
	}
	select {
	case <-t.prev:
	case <-ctx.Done():
		return ctx.Err()
	}
	t.once.Do(func() {
		if len(keys) == 0 { // nothing to place: only the declaration's order matters
			close(t.declared)
			return
		}
		t.a.mu.Lock()
		defer t.a.mu.Unlock()
		t.keys = keys
		for _, k := range keys {
			done := make(chan struct{})
			if before, ok := t.a.last[k]; ok {
				t.after = append(t.after, before)
			}
			t.a.last[k] = done
			t.mine = append(t.mine, done)
		}
		close(t.declared)
	})
	return nil
}

// Wait returns once every earlier message sharing a key with this one is Done.
func (t *Ticket) Wait(ctx context.Context) error {
	if t == nil {
		return nil
	}
	for _, c := range t.after {
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Done ends the message's place: the later messages of its keys may go on. A ticket that never
// declared is declared keyless first, in its turn.
func (t *Ticket) Done() {
	if t == nil {
		return
	}
	t.doneOnce.Do(func() {
		select {
		case <-t.declared:
			t.release()
			return
		default:
		}
		select {
		case <-t.prev: // the earlier tickets have declared: take no key now
			_ = t.Declare(context.Background(), nil)
		default:
			go func() { // wait for the earlier tickets to declare, then take no key
				_ = t.Declare(context.Background(), nil)
			}()
		}
	})
}

func (t *Ticket) release() {
	if len(t.keys) == 0 {
		return
	}
	t.a.mu.Lock()
	defer t.a.mu.Unlock()
	for i, k := range t.keys {
		close(t.mine[i])
		if t.a.last[k] == t.mine[i] {
			delete(t.a.last, k)
		}
	}
}
