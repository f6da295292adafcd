// Package api serves evtrigger's REST API: event ingestion, the trigger rules (CRUD, enable and
// disable, dry run, history), the explanation of an event's evaluation, health, and the OpenAPI
// document. Every route is in one table (routes.go), which also feeds the test that keeps the
// OpenAPI document complete. With a token configured, every mutating endpoint requires it, and
// reads too unless OpenReads is set.
package api

import (
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
)

// Options configure the API. The zero value serves health and the OpenAPI document only.
type Options struct {
	// Token, when set, is required as "Authorization: Bearer <token>" on every mutating endpoint
	// (POST /api/v1/events included), and on reads unless OpenReads. Default: no authentication.
	Token string
	// OpenReads lets GET endpoints and the rule dry run through without the token. Default
	// false: with a Token, reads need it too. /healthz, /readyz, /metrics and the OpenAPI
	// document are always open.
	OpenReads bool
	// Events handles POST /api/v1/events; nil leaves the route out.
	Events http.Handler
	// Store serves the /api/v1/task-trigger-rules routes; nil leaves them out except the dry
	// run (POST /api/v1/task-trigger-rules/test), which needs no store.
	Store store.Store
	// Rules is the live rule set; the explain endpoint uses it for the rules of other types
	// when there is no Store. Default: none.
	Rules rules.Source
	// Env compiles rules on save and in the dry run. Default: rules.NewEnv with defaults.
	Env *rules.Env
	// Temporal serves GET /api/v1/events/{eventId}/explain; nil leaves the route out.
	Temporal client.Client
	// Logger receives internal errors. Default slog.Default().
	Logger *slog.Logger
	// Metrics serves GET /metrics (metrics.Handler), always without the token; nil leaves the
	// route out.
	Metrics http.Handler
	// Ready serves GET /readyz (health.Ready), always without the token; nil leaves the route out.
	Ready http.Handler
}

// server holds what the handlers need.
type server struct {
	opts Options
}

// NewHandler returns the API's routes. It fails only if the default CEL environment cannot be
// built, which is a bug.
func NewHandler(opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Env == nil {
		env, err := rules.NewEnv(rules.EnvOptions{})
		if err != nil {
			panic("api: default CEL environment: " + err.Error())
		}
		opts.Env = env
	}
	s := &server{opts: opts}
	mux := http.NewServeMux()
	for _, rt := range routeTable() {
		if h := rt.handler(s); h != nil {
			mux.Handle(rt.method+" "+rt.path, s.guard(rt.access, h))
		}
	}
	return mux
}
