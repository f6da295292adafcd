package rules

import "time"

// compileRetry checks a rule's retry and returns a copy with every default applied. A field
// written as 0 in YAML is an error rather than a request for the default.
func compileRetry(in *Retry, rep *reporter) *Retry {
	r := Retry{}
	if in != nil {
		r = *in
	}
	switch {
	case r.MaxAttempts < 0 || r.MaxAttempts == 0 && rep.has("retry.maxAttempts"):
		rep.addf("retry.maxAttempts", "want maxAttempts >= 1, got %d", r.MaxAttempts)
	case r.MaxAttempts == 0:
		r.MaxAttempts = DefaultMaxAttempts
	}
	switch {
	case r.InitialInterval < 0 || r.InitialInterval == 0 && rep.has("retry.initialInterval"):
		rep.addf("retry.initialInterval", "want initialInterval > 0, got %s", r.InitialInterval)
	case r.InitialInterval == 0:
		r.InitialInterval = Duration(DefaultInitialInterval)
	}
	switch {
	case r.Backoff < 0 || r.Backoff == 0 && rep.has("retry.backoff") || r.Backoff > 0 && r.Backoff < 1:
		rep.addf("retry.backoff", "want backoff >= 1, got %g", r.Backoff)
	case r.Backoff == 0:
		r.Backoff = DefaultBackoff
	}
	switch {
	case r.MaxInterval == 0 && !rep.has("retry.maxInterval"):
		r.MaxInterval = max(Duration(DefaultMaxInterval), r.InitialInterval)
	case r.MaxInterval < r.InitialInterval:
		rep.addf("retry.maxInterval", "want maxInterval >= initialInterval (%s), got %s", r.InitialInterval, r.MaxInterval)
	}
	return &r
}

// policy returns the retry policy of a compiled rule, whose Retry has every default applied.
func (r *Retry) policy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:     r.MaxAttempts,
		InitialInterval: time.Duration(r.InitialInterval),
		Backoff:         r.Backoff,
		MaxInterval:     time.Duration(r.MaxInterval),
	}
}
