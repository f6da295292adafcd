package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/evtrigger/evtrigger/internal/httpjson"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
)

// ruleJSON is a stored rule as the API shows it: the rule's fields, defaults applied, plus when
// its current version was saved.
type ruleJSON struct {
	rules.Rule
	UpdatedAt time.Time `json:"updatedAt"`
}

func toJSON(rec store.Record) ruleJSON { return ruleJSON{Rule: rec.Rule, UpdatedAt: rec.UpdatedAt} }

// page is the answer of the list endpoint.
type page struct {
	Content       []ruleJSON `json:"content"`
	Page          int        `json:"page"`
	Size          int        `json:"size"`
	TotalElements int        `json:"totalElements"`
	TotalPages    int        `json:"totalPages"`
}

// maxPageSize caps the size parameter of the list endpoint.
const maxPageSize = 200

func (s *server) listRules(w http.ResponseWriter, r *http.Request) {
	f, err := listFilter(r)
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	recs, total, err := s.opts.Store.List(r.Context(), f)
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	out := page{Content: make([]ruleJSON, len(recs)), Page: f.Page, Size: f.Size, TotalElements: total,
		TotalPages: (total + f.Size - 1) / f.Size}
	for i, rec := range recs {
		out.Content[i] = toJSON(rec)
	}
	httpjson.Write(w, http.StatusOK, out)
}

// listFilter reads page (default 0), size (default 20, at most 200), eventType and enabled.
func listFilter(r *http.Request) (store.Filter, error) {
	q := r.URL.Query()
	f := store.Filter{Page: 0, Size: 20, EventType: q.Get("eventType")}
	for _, p := range []struct {
		name     string
		ptr      *int
		min, max int
	}{{"page", &f.Page, 0, 1 << 20}, {"size", &f.Size, 1, maxPageSize}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < p.min || n > p.max {
			return f, &badRequest{field: p.name, msg: p.name + ": want an integer from " + strconv.Itoa(p.min) + " to " + strconv.Itoa(p.max) + ", got " + strconv.Quote(v)}
		}
		*p.ptr = n
	}
	if v := q.Get("enabled"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, &badRequest{field: "enabled", msg: "enabled: want true or false, got " + strconv.Quote(v)}
		}
		f.Enabled = &b
	}
	return f, nil
}

func (s *server) getRule(w http.ResponseWriter, r *http.Request) {
	rec, err := s.opts.Store.Get(r.Context(), r.PathValue("ruleId"))
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	writeRecord(w, http.StatusOK, rec)
}

// writeRecord answers a rule with its version as the ETag, for If-Match.
func writeRecord(w http.ResponseWriter, status int, rec store.Record) {
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(rec.Rule.Version, 10)))
	httpjson.Write(w, status, toJSON(rec))
}

// decodeRule reads and compiles the rule of a request body; the compiled form, defaults
// applied, is what gets stored.
func (s *server) decodeRule(w http.ResponseWriter, r *http.Request) (rules.Rule, error) {
	body, err := readBody(w, r)
	if err != nil {
		return rules.Rule{}, err
	}
	rule, err := rules.DecodeJSON(body)
	if err != nil {
		return rules.Rule{}, err
	}
	return rule, nil
}

func (s *server) compile(rule rules.Rule) (rules.Rule, error) {
	c, err := rules.Compile(rule, s.opts.Env)
	if err != nil {
		return rules.Rule{}, err
	}
	return c.Rule, nil
}

func (s *server) createRule(w http.ResponseWriter, r *http.Request) {
	rule, err := s.decodeRule(w, r)
	if err == nil {
		rule.Version = 0
		rule, err = s.compile(rule)
	}
	var rec store.Record
	if err == nil {
		rec, err = s.opts.Store.Create(r.Context(), rule)
	}
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	w.Header().Set("Location", RulesPath+"/"+rec.Rule.ID)
	writeRecord(w, http.StatusCreated, rec)
}

// updateRule replaces a rule. The version it was based on comes from If-Match or the body's
// version (they must agree); without either the answer is 428, so no one overwrites blindly.
func (s *server) updateRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ruleId")
	rule, err := s.decodeRule(w, r)
	var base int64
	if err == nil {
		base, err = updateBase(r, rule.Version, id, &rule)
	}
	if err == nil {
		rule, err = s.compile(rule)
	}
	var rec store.Record
	if err == nil {
		rec, err = s.opts.Store.Update(r.Context(), rule, base)
	}
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	writeRecord(w, http.StatusOK, rec)
}

// updateBase checks the rule's ID against the path and returns the version the update is
// based on.
func updateBase(r *http.Request, bodyVersion int64, id string, rule *rules.Rule) (int64, error) {
	if rule.ID == "" {
		rule.ID = id
	} else if rule.ID != id {
		return 0, &badRequest{field: "ruleId", msg: "ruleId " + strconv.Quote(rule.ID) + " differs from the path's " + strconv.Quote(id)}
	}
	base, err := ifMatch(r)
	switch {
	case err != nil:
		return 0, err
	case base != 0 && bodyVersion != 0 && base != bodyVersion:
		return 0, &badRequest{field: "version", msg: "If-Match and the body's version differ"}
	case base == 0:
		base = bodyVersion
	}
	if base == 0 {
		return 0, &badRequest{code: http.StatusPreconditionRequired, field: "version",
			msg: "say which version this update is based on: the body's version or an If-Match header"}
	}
	return base, nil
}

// ifMatch reads the If-Match header: a version, quoted or not; 0 when absent or "*".
func ifMatch(r *http.Request) (int64, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	if v == "" || v == "*" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, &badRequest{field: "If-Match", msg: "If-Match: want a rule version such as \"3\", got " + strconv.Quote(v)}
	}
	return n, nil
}

func (s *server) deleteRule(w http.ResponseWriter, r *http.Request) {
	base, err := ifMatch(r)
	if err == nil {
		err = s.opts.Store.Delete(r.Context(), r.PathValue("ruleId"), base)
	}
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) enableRule(w http.ResponseWriter, r *http.Request)  { s.setEnabled(w, r, true) }
func (s *server) disableRule(w http.ResponseWriter, r *http.Request) { s.setEnabled(w, r, false) }

// setEnabled enables or disables a rule; If-Match is optional here.
func (s *server) setEnabled(w http.ResponseWriter, r *http.Request, enabled bool) {
	base, err := ifMatch(r)
	var rec store.Record
	if err == nil {
		rec, err = s.opts.Store.SetEnabled(r.Context(), r.PathValue("ruleId"), enabled, base)
	}
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	writeRecord(w, http.StatusOK, rec)
}

// versionJSON is one entry of a rule's history.
type versionJSON struct {
	Version   int64      `json:"version"`
	Op        store.Op   `json:"op"`
	CreatedAt time.Time  `json:"createdAt"`
	Revision  int64      `json:"revision"`
	Rule      rules.Rule `json:"rule"`
}

func (s *server) ruleVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.opts.Store.Versions(r.Context(), r.PathValue("ruleId"))
	if err != nil {
		s.writeRuleError(w, err, "")
		return
	}
	out := make([]versionJSON, len(vs))
	for i, v := range vs {
		out[i] = versionJSON{Version: v.Rule.Version, Op: v.Op, CreatedAt: v.CreatedAt, Revision: v.Revision, Rule: v.Rule}
	}
	httpjson.Write(w, http.StatusOK, out)
}
