//go:build faults

package faults

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// sink is the HTTP service every case's task calls. It is idempotent the way a real service
// should be: the first request with an Idempotency-Key executes (is recorded), a later one with
// the same key gets the same answer and executes nothing. It keeps every request, so a retried
// attempt (same key, same workflow run: X-Evtrigger-Run-Id) can be told from a second execution
// (same key from another run: a second workflow for the event). The attempt number alone cannot
// tell them apart: a short task runs as a local activity, and when its worker dies mid-call the
// call is made again by the next worker, starting again at attempt 1.
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
	runs     map[string]int // X-Evtrigger-Run-Id -> requests
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
	run := r.Header.Get("X-Evtrigger-Run-Id")
	if key == "" || run == "" {
		http.Error(w, "want Idempotency-Key and X-Evtrigger-Run-Id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	delay := s.delay
	e := s.keys[key]
	if e == nil {
		e = &execution{first: time.Now(), path: r.URL.Path, runs: map[string]int{}}
		s.keys[key] = e
		s.execTimes = append(s.execTimes, e.first)
	}
	e.requests++
	e.runs[run]++
	s.mu.Unlock()
	if !testenv.Work(r, delay) {
		return // the caller is gone (its worker was killed)
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
// and second executions (requests of the key from workflow runs other than the first: a second
// workflow for one event, which no retry explains).
func (s *sink) tally() (retried, secondRuns int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.keys {
		retried += e.requests - 1
		secondRuns += len(e.runs) - 1
	}
	return retried, secondRuns
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
