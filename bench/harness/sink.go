package harness

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"
)

// sink is the HTTP server the end-to-end rule's task calls. It stamps each request's arrival
// and hands the event ID and the send time the event carried to the current phase's recorder.
type sink struct {
	srv *httptest.Server
	rec atomic.Pointer[recorder]
}

// sinkBody is what the rule's task sends: the event ID and the send time from the event's
// payload, in Unix nanoseconds.
type sinkBody struct {
	ID     string `json:"id"`
	SentAt string `json:"sentAt"`
}

func newSink() *sink {
	s := &sink{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	var b sinkBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ns, err := strconv.ParseInt(b.SentAt, 10, 64)
	if err != nil {
		http.Error(w, "sentAt: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.rec.Load().record(b.ID, time.Unix(0, ns))
	w.WriteHeader(http.StatusNoContent)
}

func (s *sink) close() { s.srv.Close() }
