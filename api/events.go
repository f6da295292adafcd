package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"go.temporal.io/api/serviceerror"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/workflows"
)

// eventStatus answers GET /api/v1/events/{eventId}/status: the workflow's status query (each
// task's state, attempts, last error and timings; the phase). 404 without a workflow.
func (s *server) eventStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	ctx, cancel := context.WithTimeout(r.Context(), explainTimeout)
	defer cancel()
	val, err := s.opts.Temporal.QueryWorkflow(ctx, event.WorkflowID(id), "", workflows.QueryStatus)
	var st workflows.Status
	if err == nil {
		err = val.Get(&st)
	}
	if s.workflowMissing(w, id, err) {
		return
	}
	if err != nil {
		s.temporalError(w, "query workflow "+event.WorkflowID(id), err)
		return
	}
	httpjson.Write(w, http.StatusOK, st)
}

// signalEvent returns the handler of POST /api/v1/events/{eventId}/<signal>: it sends the
// operator signal (body {"ruleId": ...} optional: one failed task, else all) and answers 202.
// 404 when there is no running workflow for the event.
func (s *server) signalEvent(signal string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("eventId")
		var sig workflows.OperatorSignal
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&sig); err != nil && !errors.Is(err, io.EOF) {
			httpjson.Write(w, http.StatusBadRequest, httpjson.Error{Error: "body: want {\"ruleId\": \"...\"} or nothing: " + err.Error()})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), explainTimeout)
		defer cancel()
		err := s.opts.Temporal.SignalWorkflow(ctx, event.WorkflowID(id), "", signal, sig)
		if s.workflowMissing(w, id, err) {
			return
		}
		if err != nil {
			s.temporalError(w, "signal workflow "+event.WorkflowID(id), err)
			return
		}
		httpjson.Write(w, http.StatusAccepted, map[string]string{"eventId": id, "signal": signal, "ruleId": sig.RuleID})
	}
}

// workflowMissing answers 404 when err says the event's workflow does not exist (or, for a
// signal, has already closed).
func (s *server) workflowMissing(w http.ResponseWriter, id string, err error) bool {
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		return false
	}
	httpjson.WriteError(w, http.StatusNotFound, "no running workflow for event "+id+": "+nf.Error())
	return true
}
