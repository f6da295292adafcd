package api

import (
	"net/http"

	"github.com/evtrigger/evtrigger/ingress/httpin"
	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/workflows"
)

// Paths of the API.
const (
	RulesPath   = "/api/v1/task-trigger-rules"
	OpenAPIPath = "/api/v1/openapi.json"
)

// access says who may call a route.
type access int

const (
	public access = iota // anyone
	read                 // the token, unless Options.OpenReads
	write                // the token
)

// route is one entry of the API: the table registers the mux and is checked against the
// OpenAPI document. handler returns nil when the options leave the route out.
type route struct {
	method, path string
	access       access
	handler      func(s *server) http.Handler
}

// routeTable lists every route the API can serve.
func routeTable() []route {
	withStore := func(h func(*server, http.ResponseWriter, *http.Request)) func(*server) http.Handler {
		return func(s *server) http.Handler {
			if s.opts.Store == nil {
				return nil
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(s, w, r) })
		}
	}
	always := func(h func(*server, http.ResponseWriter, *http.Request)) func(*server) http.Handler {
		return func(s *server) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(s, w, r) })
		}
	}
	withTemporal := func(h func(*server) http.HandlerFunc) func(*server) http.Handler {
		return func(s *server) http.Handler {
			if s.opts.Temporal == nil {
				return nil
			}
			return h(s)
		}
	}
	one := RulesPath + "/{ruleId}"
	return []route{
		{"GET", "/healthz", public, always((*server).health)},
		{"GET", "/readyz", public, func(s *server) http.Handler { return s.opts.Ready }},
		{"GET", "/metrics", public, func(s *server) http.Handler { return s.opts.Metrics }},
		{"GET", OpenAPIPath, public, always((*server).openAPI)},
		{"POST", httpin.Path, write, func(s *server) http.Handler { return s.opts.Events }},
		{"GET", "/api/v1/events/{eventId}/explain", read, func(s *server) http.Handler {
			if s.opts.Temporal == nil {
				return nil
			}
			return http.HandlerFunc(s.explain)
		}},
		{"GET", "/api/v1/events/{eventId}/status", read, withTemporal(func(s *server) http.HandlerFunc { return s.eventStatus })},
		{"POST", "/api/v1/events/{eventId}/retry", write, withTemporal(func(s *server) http.HandlerFunc { return s.signalEvent(workflows.SignalRetry) })},
		{"POST", "/api/v1/events/{eventId}/skip", write, withTemporal(func(s *server) http.HandlerFunc { return s.signalEvent(workflows.SignalSkip) })},
		{"POST", "/api/v1/events/{eventId}/abort", write, withTemporal(func(s *server) http.HandlerFunc { return s.signalEvent(workflows.SignalAbort) })},
		{"GET", RulesPath, read, withStore((*server).listRules)},
		{"POST", RulesPath, write, withStore((*server).createRule)},
		{"POST", RulesPath + "/test", read, always((*server).testRule)},
		{"GET", one, read, withStore((*server).getRule)},
		{"PUT", one, write, withStore((*server).updateRule)},
		{"DELETE", one, write, withStore((*server).deleteRule)},
		{"POST", one + "/enable", write, withStore((*server).enableRule)},
		{"POST", one + "/disable", write, withStore((*server).disableRule)},
		{"GET", one + "/versions", read, withStore((*server).ruleVersions)},
	}
}

func (s *server) health(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}
