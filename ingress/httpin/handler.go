// Package httpin is the HTTP ingress: POST /api/v1/events with a seed envelope or a CloudEvent
// (structured or binary mode). It answers 202 only after Temporal has acknowledged the workflow
// start, so a client that got 202 may forget the event; on any other answer nothing was started
// and the client keeps it (400 and 413 mean "do not resend as is", 503 "resend later").
package httpin

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/metrics"
)

// Path is where events are posted.
const Path = "/api/v1/events"

// Options configure a Handler. The zero value works.
type Options struct {
	// MaxEventSize caps a request body in bytes. Default event.DefaultMaxSize (1 MiB).
	MaxEventSize int
	// Logger receives one line per refused or failed event. Default slog.Default().
	Logger *slog.Logger
	// Metrics receives the message metrics under source "http": every request counts as
	// received; a started, duplicate or filtered event as processed; a refused or failed one
	// as an error by reason. Nil: none.
	Metrics *metrics.Metrics
}

// Handler serves POST requests of events.
type Handler struct {
	starter *ingress.Starter
	opts    Options
}

// New returns a Handler that starts workflows through starter.
func New(starter *ingress.Starter, opts Options) *Handler {
	if opts.MaxEventSize <= 0 {
		opts.MaxEventSize = event.DefaultMaxSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.Metrics.InitSource(metrics.SourceHTTP)
	return &Handler{starter: starter, opts: opts}
}

// Response is the body of a 202 (started or duplicate) or 200 (filtered) answer.
type Response struct {
	EventID string `json:"eventId"`
	ingress.Outcome
}

// ServeHTTP parses the event, starts its workflow and answers: 202 with Response once Temporal
// acknowledged the start (Duplicate true if the event's workflow already existed); 200 with
// Filtered true when no enabled rule can match its type; 400 naming the field for an invalid
// event; 413 for one over the size limit; 503 with Retry-After when Temporal is unreachable.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received, mt := time.Now(), h.opts.Metrics
	mt.MessageReceived(metrics.SourceHTTP)
	ev, err := h.parse(r)
	if err != nil {
		mt.MessageError(metrics.SourceHTTP, ingress.ParseErrorReason(err))
		h.refuse(w, r, err)
		return
	}
	out, err := h.starter.Start(r.Context(), ev)
	if err != nil {
		mt.MessageError(metrics.SourceHTTP, ingress.StartErrorReason(err))
	} else {
		mt.MessageProcessed(metrics.SourceHTTP, out.MetricsOutcome(), received)
	}
	log := h.opts.Logger.With("event_id", ev.ID, "trace_id", ev.TraceID())
	switch {
	case errors.Is(err, ingress.ErrUnavailable):
		log.Warn("event not started: temporal unavailable", "error", err)
		w.Header().Set("Retry-After", "5")
		httpjson.WriteError(w, http.StatusServiceUnavailable, "temporal unavailable, retry later: nothing was started")
	case errors.Is(err, ingress.ErrRejected):
		log.Info("event rejected by temporal", "error", err)
		httpjson.WriteError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		log.Error("event not started", "error", err)
		httpjson.WriteError(w, http.StatusInternalServerError, err.Error())
	case out.Filtered:
		httpjson.Write(w, http.StatusOK, Response{EventID: ev.ID, Outcome: out})
	default:
		httpjson.Write(w, http.StatusAccepted, Response{EventID: ev.ID, Outcome: out})
	}
}

func (h *Handler) parse(r *http.Request) (event.Event, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(h.opts.MaxEventSize)+1))
	if err != nil {
		return event.Event{}, err
	}
	opts := event.Options{MaxSize: h.opts.MaxEventSize, DefaultID: event.ContentID}
	if event.IsBinaryMode(r.Header) {
		return event.ParseBinary(r.Header, body, opts)
	}
	return event.Parse(body, opts)
}

// refuse answers an event that could not be parsed; the caller keeps it.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	h.opts.Logger.Info("event refused", "remote", r.RemoteAddr, "error", err)
	var verr *event.ValidationError
	switch {
	case errors.Is(err, event.ErrTooLarge):
		httpjson.WriteError(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.As(err, &verr):
		httpjson.Write(w, http.StatusBadRequest, httpjson.Error{Error: err.Error(), Field: verr.Field})
	default:
		httpjson.WriteError(w, http.StatusBadRequest, err.Error())
	}
}
