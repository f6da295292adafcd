package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bounds of a rule's limits. They keep the limiter workflow's state (holders, recent starts)
// small enough to travel through continue-as-new.
const (
	MaxConcurrency    = 10000
	MaxRateLimitCount = 1000
)

// Limits are a rule's caps on its tasks, across all workers: at most Concurrency of them run at
// once (0: no cap) and at most Rate.Count start in any window of Rate.Per (nil: no rate limit).
// A Match carries them, so they are recorded in the event's history.
type Limits struct {
	Concurrency int        `json:"concurrency,omitempty"`
	Rate        *RateLimit `json:"rate,omitempty"`
}

// RateLimit is a parsed rateLimit: at most Count task starts in any window of length Per (a
// sliding window, not calendar seconds); up to Count may start at once.
type RateLimit struct {
	Count int           `json:"count"`
	Per   time.Duration `json:"per"`
}

// String writes the rate limit the way a rule does, such as "5/s".
func (r RateLimit) String() string {
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}[r.Per]
	if unit == "" {
		unit = r.Per.String()
	}
	return strconv.Itoa(r.Count) + "/" + unit
}

// rateUnits maps the units a rateLimit may name onto their length.
var rateUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// ParseRateLimit parses a rule's rateLimit: "N/s", "N/m" or "N/h" (also /sec, /second, /min,
// /minute, /hour), N a whole number from 1 to MaxRateLimitCount.
func ParseRateLimit(s string) (RateLimit, error) {
	count, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return RateLimit{}, fmt.Errorf("want \"N/s\", \"N/m\" or \"N/h\" such as \"10/s\", got %q", s)
	}
	per, ok := rateUnits[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return RateLimit{}, fmt.Errorf("unknown unit %q in %q: want s, m or h", strings.TrimSpace(unit), s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 1 || n > MaxRateLimitCount {
		return RateLimit{}, fmt.Errorf("want a whole number of starts from 1 to %d before the /, got %q", MaxRateLimitCount, s)
	}
	return RateLimit{Count: n, Per: per}, nil
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
