package testenv

import (
	"net/http"
	"time"
)

// Work is a task's work at a test target (an HTTP handler standing in for a service): it takes
// d, or ends early (false) when the caller gave up on the request. It is what the target does,
// not a wait of the test.
func Work(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
