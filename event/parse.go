package event

import (
	"errors"
	"fmt"
	"time"
)

// DefaultMaxSize is the largest message body Parse and ParseBinary accept when
// Options.MaxSize is not set: 1 MiB.
const DefaultMaxSize = 1 << 20

// ErrTooLarge is wrapped by the error Parse and ParseBinary return for a body larger than the
// size limit; test for it with errors.Is.
var ErrTooLarge = errors.New("event: body too large")

// ErrMalformed is wrapped by the error Parse and ParseBinary return for a body that is not a
// single well-formed JSON object (bad syntax, trailing data, an array, ...); test for it with
// errors.Is.
var ErrMalformed = errors.New("event: malformed JSON")

// Options tune Parse and ParseBinary. The zero value is ready to use.
type Options struct {
	// MaxSize is the largest body accepted, in bytes. Zero or negative means DefaultMaxSize.
	MaxSize int
	// DefaultID, when not nil, gives the ID of an event whose message has none (member missing,
	// null or ""); it is called with the whole body (for ParseBinary: the data only), for
	// instance ContentID. Nil means such an event is refused with a ValidationError.
	DefaultID func(body []byte) string
	// Now gives the time of an event whose message has none. Nil means time.Now.
	Now func() time.Time
}

func (o Options) maxSize() int {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// checkSize returns an error wrapping ErrTooLarge when body exceeds the limit.
func (o Options) checkSize(body []byte) error {
	if limit := o.maxSize(); len(body) > limit {
		return fmt.Errorf("%w: %d bytes, limit is %d", ErrTooLarge, len(body), limit)
	}
	return nil
}

// Parse converts one message body into an Event. The body must be a JSON object: a CloudEvents
// 1.0 event in structured mode when it has a "specversion" member, otherwise the seed envelope
//
//	{"messageId", "eventType", "timestamp", "source", "destination", "priority",
//	 "payload": {...}, "metadata": {...}}
//
// Members of the seed envelope other than these are ignored. In CloudEvents, "subject",
// "datacontenttype", "dataschema" and every extension go into Metadata, "data" (or
// "data_base64" holding JSON) into Payload, and a "priority" extension also sets Priority.
//
// Defaults: Priority MEDIUM, Time opts.Now() (all times are returned in UTC), ID from
// opts.DefaultID. A member that is null or "" counts as absent. Payload and Metadata are never
// nil, and keep every number as a json.Number.
//
// Errors: ErrTooLarge (wrapped) for a body over the limit; ErrMalformed (wrapped) for a body
// that is not exactly one JSON object; otherwise one *ValidationError per bad member, joined
// with errors.Join, each naming the member as the input format spells it ("eventType", "type").
func Parse(body []byte, opts Options) (Event, error) {
	if err := opts.checkSize(body); err != nil {
		return Event{}, err
	}
	obj, err := decodeObject(body)
	if err != nil {
		return Event{}, err
	}
	b := newBuilder(body, opts)
	if _, ok := obj["specversion"]; ok {
		b.structured(obj)
	} else {
		b.seed(obj)
	}
	return b.finish()
}
