package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bounds of a rule's limits.
const (
	MaxConcurrency    = 10000
	MaxRateLimitCount = 100000
)

// Limits are a rule's caps on its tasks, across all workers: at most Concurrency of them run at
// once (0: no cap) and their starts are spaced by Rate (nil: no rate limit). A Match carries
// them, so they are recorded in the event's history.
type Limits struct {
	Concurrency int        `json:"concurrency,omitempty"`
	Rate        *RateLimit `json:"rate,omitempty"`
}

// RateLimit is a parsed rateLimit, Count starts per Per with a burst of Burst: starts are spaced
// by Interval, except that up to Burst may go at once after a quiet spell (a token bucket of
// Burst tokens refilled one per Interval). Any window of length Per holds at most
// Count + Burst - 1 starts; with the default Burst 1, at most Count.
type RateLimit struct {
	Count int           `json:"count"`
	Per   time.Duration `json:"per"`
	Burst int           `json:"burst,omitempty"`
}

// Interval is the spacing of starts, Per / Count rounded up to the nanosecond.
func (r RateLimit) Interval() time.Duration {
	return (r.Per + time.Duration(r.Count) - 1) / time.Duration(r.Count)
}

// BurstOrOne is Burst, 1 when unset.
func (r RateLimit) BurstOrOne() int { return max(r.Burst, 1) }

// String writes the rate limit the way a rule does, such as "5/s" or "100/h burst 10".
func (r RateLimit) String() string {
	unit := r.Per.String()
	switch r.Per {
	case time.Second:
		unit = "s"
	case time.Minute:
		unit = "m"
	case time.Hour:
		unit = "h"
	}
	s := strconv.Itoa(r.Count) + "/" + unit
	if r.Burst > 1 {
		s += " burst " + strconv.Itoa(r.Burst)
	}
	return s
}

// rateUnits maps the units a rateLimit may name onto their length.
var rateUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// ParseRateLimit parses a rule's rateLimit: "N/s", "N/m" or "N/h" (also /sec, /second, /min,
// /minute, /hour), N a whole number from 1 to MaxRateLimitCount, optionally followed by
// "burst B" (B from 1 to N).
func ParseRateLimit(s string) (RateLimit, error) {
	rate, burst, hasBurst := strings.Cut(strings.TrimSpace(s), "burst")
	count, unit, ok := strings.Cut(rate, "/")
	if !ok {
		return RateLimit{}, fmt.Errorf("want \"N/s\", \"N/m\" or \"N/h\" (optionally \"burst B\") such as \"10/s\", got %q", s)
	}
	per, ok := rateUnits[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return RateLimit{}, fmt.Errorf("unknown unit %q in %q: want s, m or h", strings.TrimSpace(unit), s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 1 || n > MaxRateLimitCount {
		return RateLimit{}, fmt.Errorf("want a whole number of starts from 1 to %d before the /, got %q", MaxRateLimitCount, s)
	}
	r := RateLimit{Count: n, Per: per}
	if hasBurst {
		b, err := strconv.Atoi(strings.TrimSpace(burst))
		if err != nil || b < 1 || b > n {
			return RateLimit{}, fmt.Errorf("want a burst from 1 to %d after \"burst\", got %q", n, s)
		}
		r.Burst = b
	}
	return r, nil
}

// compileLimits checks a rule's concurrency and rateLimit and returns its Limits, nil when it
// has neither. A concurrency written as 0 is an error rather than "no cap".
func compileLimits(r *Rule, rep *reporter) *Limits {
	var l Limits
	switch {
	case r.Concurrency < 0 || r.Concurrency > MaxConcurrency || r.Concurrency == 0 && rep.has("concurrency"):
		rep.addf("concurrency", "want concurrency from 1 to %d (leave it out for no cap), got %d", MaxConcurrency, r.Concurrency)
	default:
		l.Concurrency = r.Concurrency
	}
	if r.RateLimit != "" || rep.has("rateLimit") {
		rl, err := ParseRateLimit(r.RateLimit)
		if err != nil {
			rep.addf("rateLimit", "%v", err)
		} else {
			l.Rate = &rl
		}
	}
	if l.Concurrency == 0 && l.Rate == nil {
		return nil
	}
	return &l
}
