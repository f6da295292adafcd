package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/evtrigger/evtrigger/task"
)

// httpTemplate is an HTTP task with its templates parsed.
type httpTemplate struct {
	method   string
	url      *template
	urlFixed bool // the url has no placeholder: checked when compiled
	headers  namedTemplates
	body     *template     // a string body
	jsonBody *jsonTemplate // a map or list body
	// jsonType is true when a JSON body needs the Content-Type header added.
	jsonType bool
	// headersFixed: no header has a placeholder, so every task of the rule has the headers
	// fixedHeaders (nil when there are none), built once at compile time and shared.
	headersFixed bool
	fixedHeaders map[string]string
	accept       []int
}

// compileHTTP validates an HTTP task's parameters: url (required), method (default POST),
// headers, body and acceptStatus.
func compileHTTP(params map[string]any, rep *reporter) *httpTemplate {
	checkParamKeys(params, task.TypeHTTP, "url method headers body acceptStatus", rep)
	ht := &httpTemplate{}
	ht.url = compileURL(params, rep)
	ht.urlFixed = ht.url != nil && !ht.url.hasRefs()
	ht.method = compileMethod(params, rep)
	if v, ok := params["headers"]; ok && v != nil {
		ht.headers = templateMap(v, "parameters.headers", validHeaderName, rep)
		for i, t := range ht.headers.tmpls {
			if strings.ContainsAny(t.literal(), "\r\n\x00") {
				rep.addf("parameters.headers."+ht.headers.names[i], "header value contains CR, LF or NUL")
			}
		}
	}
	switch b := params["body"].(type) {
	case nil:
	case string:
		t, err := parseTemplate(b)
		if err != nil {
			rep.addf("parameters.body", "%v", err)
		}
		ht.body = t
	default:
		ht.jsonBody = parseJSONTemplate(b, "parameters.body", rep)
		ht.jsonType = !ht.headers.has("Content-Type")
	}
	if v, ok := params["acceptStatus"]; ok && v != nil {
		ht.accept = compileAcceptStatus(v, rep)
	}
	ht.headersFixed, ht.fixedHeaders = ht.constantHeaders()
	return ht
}

// constantHeaders returns true and the headers every task of the rule has when no header has a
// placeholder: the literal headers, and Content-Type for a JSON body that needs it; nil when
// there are none. The values were checked for CR, LF and NUL with the headers.
func (ht *httpTemplate) constantHeaders() (bool, map[string]string) {
	if slices.ContainsFunc(ht.headers.tmpls, (*template).hasRefs) {
		return false, nil
	}
	if len(ht.headers.names) == 0 && !ht.jsonType {
		return true, nil
	}
	h := make(map[string]string, len(ht.headers.names)+1)
	for i, name := range ht.headers.names {
		h[name] = ht.headers.tmpls[i].literal()
	}
	if ht.jsonType {
		h["Content-Type"] = "application/json"
	}
	return true, h
}

// compileURL parses the url template; a URL without placeholders is checked now.
func compileURL(params map[string]any, rep *reporter) *template {
	s, ok := paramString(params, "url", rep)
	if !ok {
		return nil
	}
	if s == "" {
		rep.addf("parameters.url", "required: an absolute http or https URL")
		return nil
	}
	t, err := parseTemplate(s)
	if err != nil {
		rep.addf("parameters.url", "%v", err)
		return nil
	}
	if !t.hasRefs() {
		if err := checkURL(t.literal()); err != nil {
			rep.addf("parameters.url", "%v", err)
		}
	}
	return t
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q: want an absolute http or https URL", s)
	}
	return nil
}

// compileMethod returns the upper-cased method, POST by default.
func compileMethod(params map[string]any, rep *reporter) string {
	m, ok := paramString(params, "method", rep)
	m = strings.ToUpper(m)
	switch {
	case !ok:
	case m == "":
		return "POST"
	case strings.Contains(" GET HEAD POST PUT PATCH DELETE OPTIONS ", " "+m+" "):
		return m
	default:
		rep.addf("parameters.method", "unknown method %q: want GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", m)
	}
	return ""
}

// compileAcceptStatus validates a list of status codes 100-599.
func compileAcceptStatus(v any, rep *reporter) []int {
	items, ok := v.([]any)
	if !ok {
		rep.addf("parameters.acceptStatus", "want a list of status codes, got %s", kindOf(v))
		return nil
	}
	codes := make([]int, 0, len(items))
	for i, it := range items {
		c, ok := asInt(it)
		if !ok || c < 100 || c > 599 {
			rep.addf(fmt.Sprintf("parameters.acceptStatus[%d]", i), "want a status code 100-599, got %v", it)
			continue
		}
		codes = append(codes, c)
	}
	return codes
}

// validHeaderName accepts HTTP field names (RFC 9110 tokens).
func validHeaderName(name string) error {
	if name == "" {
		return fmt.Errorf("empty header name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return fmt.Errorf("invalid header name %q", name)
		}
	}
	return nil
}

// has reports whether nt has name, ignoring case.
func (nt namedTemplates) has(name string) bool {
	for _, n := range nt.names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
