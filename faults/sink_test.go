//go:build faults

package faults

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// sink is the HTTP service every case's task calls. It is idempotent the way a real service
// should be: the first request with an Idempotency-Key executes (is recorded), a later one with
// the same key gets the same answer and executes nothing. It keeps every request, so a retried
// attempt (same key, a higher X-Evtrigger-Attempt) can be told from a second execution (same key
// and the same attempt again: another workflow or a task dispatched twice).
type sink struct {
	srv   *httptest.Server
	mu    sync.Mutex
	keys  map[string]*execution
	delay time.Duration
	// execTimes are the arrival times of first executions, in order, for stalls and rates.
	execTimes []time.Time
}

// execution is what the sink saw of one Idempotency-Key.
type execution struct {
	first    time.Time
	path     string // the URL path of the first request (a rule version can change it)
	requests int
	attempts map[int]int // X-Evtrigger-Attempt -> requests
}

func newSink(t *testing.T) *sink {
	s := &sink{keys: map[string]*execution{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// setDelay makes each request take d before it is answered (tasks in flight when a worker dies).
func (s *sink) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	attempt, err := strconv.Atoi(r.Header.Get("X-Evtrigger-Attempt"))
	if key == "" || err != nil {
		http.Error(w, "want Idempotency-Key and X-Evtrigger-Attempt", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	delay := s.delay
	e := s.keys[key]
	if e == nil {
		e = &execution{first: time.Now(), path: r.URL.Path, attempts: map[int]int{}}
		s.keys[key] = e
		s.execTimes = append(s.execTimes, e.first)
	}
	e.requests++
	e.attempts[attempt]++
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay) // the work the task does; the sink's answer waits for it
	}
	w.WriteHeader(http.StatusNoContent)
}

// executed is the number of distinct keys executed.
func (s *sink) executed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

// get returns a copy of what the sink saw of key, and whether it saw it.
func (s *sink) get(key string) (execution, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.keys[key]
	if !ok {
		return execution{}, false
	}
	return *e, true
}

// tally counts, over every key: retried requests (beyond the first, deduplicated by the sink)
// and repeated attempts (a key's attempt number seen more than once: a second execution that
// is not a retry).
func (s *sink) tally() (retried, repeated int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.keys {
		retried += e.requests - 1
		for _, n := range e.attempts {
			repeated += n - 1
		}
	}
	return retried, repeated
}

// longestStall is the longest time between consecutive first executions after from (or
// between from and the first one): the time the case made no progress.
func (s *sink) longestStall(from time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var longest time.Duration
	prev := from
	for _, at := range s.execTimes {
		if at.Before(from) {
			continue
		}
		longest = max(longest, at.Sub(prev))
		prev = at
	}
	return longest
}

// executedBetween counts first executions in [from, to).
func (s *sink) executedBetween(from, to time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, at := range s.execTimes {
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}
