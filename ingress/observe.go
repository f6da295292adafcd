package ingress

import (
	"errors"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/metrics"
)

// ParseErrorReason names an error of parsing an event as a metrics reason: too_large or
// invalid.
func ParseErrorReason(err error) string {
	if errors.Is(err, event.ErrTooLarge) {
		return metrics.ReasonTooLarge
	}
	return metrics.ReasonInvalid
}

// StartErrorReason names an error of Starter.Start as a metrics reason: rejected, unavailable
// or start_failed.
func StartErrorReason(err error) string {
	switch {
	case errors.Is(err, ErrRejected):
		return metrics.ReasonRejected
	case errors.Is(err, ErrUnavailable):
		return metrics.ReasonUnavailable
	default:
		return metrics.ReasonStartFailed
	}
}

// MetricsOutcome names o as a metrics outcome: started, duplicate or filtered.
func (o Outcome) MetricsOutcome() string {
	switch {
	case o.Filtered:
		return metrics.OutcomeFiltered
	case o.Duplicate:
		return metrics.OutcomeDuplicate
	default:
		return metrics.OutcomeStarted
	}
}
