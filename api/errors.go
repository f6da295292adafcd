package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
)

// maxBodySize caps a request body: a rule or a dry run with its event.
const maxBodySize = 1 << 20

// validationError is the body of a 400 for an invalid rule: the first problem's field, line and
// column (inside the field: for a condition, the position in the CEL expression), and every
// problem in Issues.
type validationError struct {
	httpjson.Error
	Issues []rules.Issue `json:"issues"`
}

// conflictError is the body of a 409 for a stale version.
type conflictError struct {
	httpjson.Error
	CurrentVersion int64 `json:"currentVersion"`
}

// writeRuleError answers err from decoding, compiling or storing a rule; prefix is put before
// issue fields (such as "rule." in the dry run).
func (s *server) writeRuleError(w http.ResponseWriter, err error, prefix string) {
	var le *rules.LoadError
	var ce *store.ConflictError
	var br *badRequest
	switch {
	case errors.As(err, &le):
		s.writeIssues(w, le.Issues, prefix)
	case errors.As(err, &ce):
		httpjson.Write(w, http.StatusConflict, conflictError{
			Error:          httpjson.Error{Error: ce.Error() + ": fetch the rule again and reapply your change", Field: "version"},
			CurrentVersion: ce.Current})
	case errors.Is(err, store.ErrNotFound):
		httpjson.WriteError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, store.ErrExists):
		httpjson.Write(w, http.StatusConflict, httpjson.Error{Error: err.Error(), Field: "ruleId"})
	case errors.As(err, &br):
		httpjson.Write(w, br.status(), httpjson.Error{Error: br.msg, Field: br.field})
	default:
		s.opts.Logger.Error("rules API", "error", err)
		httpjson.WriteError(w, http.StatusInternalServerError, err.Error())
	}
}

// writeIssues answers 400 with the issues of an invalid rule.
func (s *server) writeIssues(w http.ResponseWriter, issues []rules.Issue, prefix string) {
	msgs := make([]string, len(issues))
	for i := range issues {
		if issues[i].Field != "" || prefix == "" {
			issues[i].Field = prefix + issues[i].Field
		} else {
			issues[i].Field = strings.TrimSuffix(prefix, ".")
		}
		msgs[i] = issues[i].String()
	}
	first := issues[0]
	httpjson.Write(w, http.StatusBadRequest, validationError{
		Error:  httpjson.Error{Error: strings.Join(msgs, "\n"), Field: first.Field, Line: first.Line, Column: first.Column},
		Issues: issues,
	})
}

// badRequest is a problem with the request itself, outside the rule.
type badRequest struct {
	code       int // 400 when 0
	field, msg string
}

func (b *badRequest) Error() string { return b.msg }

func (b *badRequest) status() int {
	if b.code == 0 {
		return http.StatusBadRequest
	}
	return b.code
}

// readBody reads a request body of at most maxBodySize bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		return nil, &badRequest{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("read body: %v", err)}
	}
	if !json.Valid(data) {
		return nil, &badRequest{msg: "the body is not valid JSON"}
	}
	return data, nil
}
