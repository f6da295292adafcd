// Package api serves evtrigger's REST API: event ingestion, health, and (as they land) rules,
// events and dead letters. With a token configured, every mutating endpoint requires it.
package api

import (
	"net/http"

	"github.com/evtrigger/evtrigger/ingress/httpin"
	"github.com/evtrigger/evtrigger/internal/httpjson"
)

// Options configure the API. The zero value serves health only.
type Options struct {
	// Token, when set, is required as "Authorization: Bearer <token>" on every mutating endpoint
	// (POST /api/v1/events included). Default: no authentication.
	Token string
	// Events handles POST /api/v1/events; nil leaves the route out.
	Events http.Handler
}

// NewHandler returns the API's routes.
func NewHandler(opts Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	if opts.Events != nil {
		mux.Handle("POST "+httpin.Path, requireToken(opts.Token, opts.Events))
	}
	return mux
}
