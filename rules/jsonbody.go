package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// jsonTemplate is an HTTP body given as a YAML map or list: a tree whose strings are templates,
// rendered into a value and then encoded as JSON.
type jsonTemplate struct {
	tmpl    *template       // a string
	lit     any             // a number, boolean or null
	litJSON string          // lit encoded; empty when encoding/json must report the error
	keys    []string        // an object's keys, sorted
	keyJSON []string        // the keys encoded, each followed by ':'
	elems   []*jsonTemplate // an object's values, parallel to keys, or a list's items
	obj     bool
	list    bool
}

// parseJSONTemplate builds the tree for v, reporting problems at field and below.
func parseJSONTemplate(v any, field string, rep *reporter) *jsonTemplate {
	switch x := v.(type) {
	case string:
		t, err := parseTemplate(x)
		if err != nil {
			rep.addf(field, "%v", err)
			return nil
		}
		return &jsonTemplate{tmpl: t}
	case map[string]any:
		jt := &jsonTemplate{obj: true, keys: sortedKeys(x)}
		for _, k := range jt.keys {
			jt.keyJSON = append(jt.keyJSON, string(appendJSONString(nil, k))+":")
			jt.elems = append(jt.elems, parseJSONTemplate(x[k], field+"."+k, rep))
		}
		return jt
	case []any:
		jt := &jsonTemplate{list: true}
		for i, e := range x {
			jt.elems = append(jt.elems, parseJSONTemplate(e, field+"["+strconv.Itoa(i)+"]", rep))
		}
		return jt
	case nil, bool, int, int64, uint64, json.Number:
		return newJSONLiteral(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			rep.addf(field, "%v cannot be written in JSON", x)
			return nil
		}
		return newJSONLiteral(x)
	}
	rep.addf(field, "want a string, number, boolean, null, map with string keys or list, got %T", v)
	return nil
}

// newJSONLiteral is the template of a literal, encoded once.
func newJSONLiteral(x any) *jsonTemplate {
	enc, err := compactJSON(x)
	if err != nil {
		enc = ""
	}
	return &jsonTemplate{lit: x, litJSON: enc}
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// render returns the body's value: a string that is exactly one placeholder keeps the type of
// the value it refers to; any other string renders as text.
func (jt *jsonTemplate) render(v *values) (any, error) {
	switch {
	case jt.tmpl != nil:
		if r := jt.tmpl.single(); r != nil {
			return v.resolve(r)
		}
		return jt.tmpl.render(v)
	case jt.obj:
		m := make(map[string]any, len(jt.keys))
		for i, k := range jt.keys {
			x, err := jt.elems[i].render(v)
			if err != nil {
				return nil, err
			}
			m[k] = x
		}
		return m, nil
	case jt.list:
		l := make([]any, len(jt.elems))
		for i, e := range jt.elems {
			x, err := e.render(v)
			if err != nil {
				return nil, err
			}
			l[i] = x
		}
		return l, nil
	}
	return jt.lit, nil
}

// renderJSON renders the body and encodes it as compact JSON. It writes the JSON directly when
// every value is one appendJSONValue writes as encoding/json would; otherwise it renders the
// value and encodes it with encoding/json, which also reports what cannot be encoded.
func (jt *jsonTemplate) renderJSON(v *values) (string, error) {
	var room [512]byte // on the stack: a body that fits costs one allocation, its string
	buf, ok, err := jt.appendJSON(room[:0], v, nil)
	if err != nil {
		return "", err
	}
	if ok {
		return string(buf), nil
	}
	return jt.encodeJSON(v)
}

// encodeJSON renders the body's value and encodes it with encoding/json.
func (jt *jsonTemplate) encodeJSON(v *values) (string, error) {
	x, err := jt.render(v)
	if err != nil {
		return "", err
	}
	s, err := compactJSON(x)
	if err != nil {
		return "", fmt.Errorf("body: %w", err)
	}
	return s, nil
}

// appendJSON appends the rendered body to dst as compact JSON. It stops at the first placeholder
// that cannot be resolved (the error render would give) or whose value appendJSONValue does not
// write (ok false). With a room (nil: none), dst extends room.buf, and the JSON of a payload or
// metadata placeholder already in it is copied instead of looked up and encoded again.
func (jt *jsonTemplate) appendJSON(dst []byte, v *values, room *taskRoom) (out []byte, ok bool, err error) {
	switch {
	case jt.tmpl != nil:
		if r := jt.tmpl.single(); r != nil {
			if s, ok := v.field(r); ok { // what resolve gives, without boxing
				return appendJSONString(dst, s), true, nil
			}
			if from, to, ok := room.find(r.key); ok {
				return append(dst, dst[from:to]...), true, nil
			}
			x, err := v.resolve(r)
			if err != nil {
				return dst, false, err
			}
			from := len(dst)
			if dst, ok = appendJSONValue(dst, x); ok {
				room.remember(r.key, from, len(dst))
			}
			return dst, ok, nil
		}
		s, err := jt.tmpl.render(v)
		if err != nil {
			return dst, false, err
		}
		return appendJSONString(dst, s), true, nil
	case jt.obj, jt.list:
		open, end := byte('['), byte(']')
		if jt.obj {
			open, end = '{', '}'
		}
		dst = append(dst, open)
		for i, e := range jt.elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			if jt.obj {
				dst = append(dst, jt.keyJSON[i]...)
			}
			if dst, ok, err = e.appendJSON(dst, v, room); !ok || err != nil {
				return dst, ok, err
			}
		}
		return append(dst, end), true, nil
	}
	return append(dst, jt.litJSON...), jt.litJSON != "", nil
}
