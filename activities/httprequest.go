package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/evtrigger/evtrigger/task"
)

// newHTTPRequest builds the request of an HTTP task, with evtrigger's headers, after checking
// the spec and the URL's host. Its errors are ready to return from the activity.
func (a *Activities) newHTTPRequest(ctx context.Context, req task.Request, attempt int32) (*http.Request, error) {
	u, err := validateHTTP(req)
	if err != nil {
		return nil, invalidSpec(req, attempt, err.Error())
	}
	if err := a.Hosts.CheckHost(u.Hostname()); err != nil {
		return nil, failure{
			errType:      ErrTypeHostNotAllowed,
			msg:          fmt.Sprintf("http task %q: %v", req.TaskName, err),
			nonRetryable: true,
			details:      task.FailureDetails{Attempt: attempt},
		}.newError()
	}
	spec := req.Spec.HTTP
	method := strings.ToUpper(spec.Method)
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if spec.Body != "" {
		body = strings.NewReader(spec.Body)
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, invalidSpec(req, attempt, err.Error())
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Headers)) {
		if strings.EqualFold(k, "Host") {
			r.Host = spec.Headers[k]
			continue
		}
		r.Header.Set(k, spec.Headers[k])
	}
	key := req.EventID + "/" + req.RuleID
	if req.Compensation {
		key += "/compensation"
	}
	setDefault(r.Header, "Idempotency-Key", key)
	setDefault(r.Header, "User-Agent", "evtrigger")
	if spec.Body != "" && json.Valid([]byte(spec.Body)) {
		setDefault(r.Header, "Content-Type", "application/json")
	}
	r.Header.Set("X-Evtrigger-Attempt", strconv.Itoa(int(attempt)))
	return r, nil
}

// setDefault sets key to value unless the header already has it.
func setDefault(h http.Header, key, value string) {
	if h.Get(key) == "" {
		h.Set(key, value)
	}
}

// validateHTTP checks the spec and returns its parsed URL.
func validateHTTP(req task.Request) (*url.URL, error) {
	spec := req.Spec.HTTP
	switch {
	case req.Spec.Type != "" && req.Spec.Type != task.TypeHTTP:
		return nil, fmt.Errorf("spec type is %q, not %q", req.Spec.Type, task.TypeHTTP)
	case spec == nil:
		return nil, errors.New("spec.http is missing")
	}
	u, err := url.Parse(spec.URL)
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		return nil, fmt.Errorf("invalid url: %w", uerr.Err) // uerr repeats the URL, query included
	} else if err != nil {
		return nil, fmt.Errorf("invalid url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("url must be absolute http or https")
	}
	for k, v := range spec.Headers {
		if !validHeaderName(k) || strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("invalid header %q", k)
		}
	}
	return u, nil
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}
