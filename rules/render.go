package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/evtrigger/evtrigger/task"
)

// render returns the task for one event. It fails, naming the placeholder, when a field is
// missing or a rendered URL or header value is unacceptable.
func (tt *taskTemplate) render(v *values) (task.Spec, error) {
	spec, _, err := tt.renderIn(v, nil, nil)
	return spec, err
}

// renderIn is render with an HTTP task rendered in room when there is one (nil: none), its JSON
// body appended to buf; it returns buf.
func (tt *taskTemplate) renderIn(v *values, room *taskRoom, buf []byte) (task.Spec, []byte, error) {
	if tt.shell != nil {
		sh, err := tt.shell.render(v)
		if err != nil {
			return task.Spec{}, buf, err
		}
		return task.Spec{Type: task.TypeShell, Shell: sh}, buf, nil
	}
	h, buf, err := tt.http.render(v, room, buf)
	if err != nil {
		return task.Spec{}, buf, err
	}
	return task.Spec{Type: task.TypeHTTP, HTTP: h}, buf, nil
}

// render returns the HTTP task for one event, rendered in room when there is one (nil: none):
// its JSON body is then appended to buf and set by room.finish. It returns buf.
func (ht *httpTemplate) render(v *values, room *taskRoom, buf []byte) (*task.HTTP, []byte, error) {
	u, err := ht.url.render(v)
	if err != nil {
		return nil, buf, err
	}
	if !ht.urlFixed {
		if err := checkURL(u); err != nil {
			return nil, buf, fmt.Errorf("rendered url: %w", err)
		}
	}
	h := task.HTTP{Method: ht.method, URL: u, AcceptStatus: slices.Clone(ht.accept)}
	if h.Headers, err = ht.renderHeaders(v); err != nil {
		return nil, buf, err
	}
	from, to := -1, -1
	switch {
	case ht.body != nil:
		h.Body, err = ht.body.render(v)
	case ht.jsonBody != nil && room != nil:
		buf, from, to, h.Body, err = room.appendBody(buf, ht.jsonBody, v)
	case ht.jsonBody != nil:
		h.Body, err = ht.jsonBody.renderJSON(v)
	}
	if err != nil {
		return nil, buf, err
	}
	return room.add(h, buf, from, to), buf, nil
}

// renderHeaders returns the task's headers: the map built at compile time when no header has a
// placeholder (shared by every task of the rule), otherwise a new map, with Content-Type added
// for a JSON body that needs it.
func (ht *httpTemplate) renderHeaders(v *values) (map[string]string, error) {
	if ht.headersFixed {
		return ht.fixedHeaders, nil
	}
	h, err := ht.headers.render(v)
	if err != nil {
		return nil, err
	}
	for _, name := range ht.headers.names {
		if strings.ContainsAny(h[name], "\r\n\x00") {
			return nil, fmt.Errorf("header %s: rendered value contains CR, LF or NUL", name)
		}
	}
	if ht.jsonType {
		if h == nil {
			h = map[string]string{}
		}
		h["Content-Type"] = "application/json"
	}
	return h, nil
}

// render returns the rendered map, nil when there are no names.
func (nt namedTemplates) render(v *values) (map[string]string, error) {
	if len(nt.names) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(nt.names))
	for i, name := range nt.names {
		s, err := nt.tmpls[i].render(v)
		if err != nil {
			return nil, err
		}
		m[name] = s
	}
	return m, nil
}
