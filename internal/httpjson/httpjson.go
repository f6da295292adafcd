// Package httpjson writes JSON responses and errors for evtrigger's HTTP endpoints.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Error is the body of every error response.
type Error struct {
	Error string `json:"error"`
	// Field names the offending input field, when one is to blame.
	Field string `json:"field,omitempty"`
	// Line and Column locate the problem inside the field (a CEL condition), when known.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// Write writes v as JSON with the status code. <, > and & are written as they are, not
// escaped for HTML, so CEL conditions read as written.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteError writes an Error with the message msg.
func WriteError(w http.ResponseWriter, status int, msg string) {
	Write(w, status, Error{Error: msg})
}
