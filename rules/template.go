package rules

import (
	"fmt"
	"strings"
)

// template is a parsed string with placeholders, as described in the package doc.
type template struct {
	parts []part
}

// part is a literal run of text or one placeholder.
type part struct {
	lit string
	ref *ref
}

// ref is one placeholder: a root and, for payload and metadata, a path below it.
type ref struct {
	text string // as written, "${payload.a.b}", for error messages
	root string
	kind rootKind // root, parsed
	path []string
	key  string // root and path joined with '.': the same for every ref to the same value
}

// rootKind is the root of a placeholder.
type rootKind uint8

// The roots of placeholders: the payload and metadata maps, and the event's own fields.
const (
	rootPayload rootKind = iota
	rootMetadata
	rootEventID
	rootEventType
	rootTimestamp
	rootSource
	rootDestination
	rootPriority
)

// rootKinds maps the root names to their kinds.
var rootKinds = map[string]rootKind{
	"payload": rootPayload, "metadata": rootMetadata, "eventId": rootEventID, "eventType": rootEventType,
	"timestamp": rootTimestamp, "source": rootSource, "destination": rootDestination, "priority": rootPriority,
}

// rootNames lists the placeholder roots, for error messages.
const rootNames = "eventId, eventType, timestamp, source, destination, priority, payload, metadata"

// parseTemplate parses s. It fails on an unclosed "${", an unknown root or a malformed path.
func parseTemplate(s string) (*template, error) {
	t := &template{}
	var lit strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			lit.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed placeholder %q: want ${...}", s[i:])
			}
			r, err := parseRef(s[i : i+2+end+1])
			if err != nil {
				return nil, err
			}
			t.addLit(&lit)
			t.parts = append(t.parts, part{ref: r})
			i += 2 + end + 1
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	t.addLit(&lit)
	return t, nil
}

// addLit appends the pending literal text, if any, as a part.
func (t *template) addLit(lit *strings.Builder) {
	if lit.Len() > 0 {
		t.parts = append(t.parts, part{lit: lit.String()})
		lit.Reset()
	}
}

// parseRef parses one placeholder, text being "${...}".
func parseRef(text string) (*ref, error) {
	segs := strings.Split(strings.TrimSpace(text[2:len(text)-1]), ".")
	r := &ref{text: text, root: segs[0], path: segs[1:]}
	kind, ok := rootKinds[r.root]
	switch {
	case !ok:
		return nil, fmt.Errorf("placeholder %s: unknown root %q: want one of %s", text, r.root, rootNames)
	case kind == rootPayload || kind == rootMetadata:
		for _, seg := range r.path {
			if seg == "" || strings.ContainsAny(seg, " \t\r\n${}") {
				return nil, fmt.Errorf("placeholder %s: malformed path segment %q", text, seg)
			}
		}
	case len(r.path) > 0:
		return nil, fmt.Errorf("placeholder %s: ${%s} has no fields", text, r.root)
	}
	r.kind, r.key = kind, strings.Join(segs, ".")
	return r, nil
}

// hasRefs reports whether t has at least one placeholder.
func (t *template) hasRefs() bool {
	for _, p := range t.parts {
		if p.ref != nil {
			return true
		}
	}
	return false
}

// literal returns the literal text of t, placeholders left out.
func (t *template) literal() string {
	var b strings.Builder
	for _, p := range t.parts {
		b.WriteString(p.lit)
	}
	return b.String()
}

// single returns the placeholder when t is exactly one placeholder and nothing else, or nil.
func (t *template) single() *ref {
	if len(t.parts) == 1 {
		return t.parts[0].ref
	}
	return nil
}

// render replaces every placeholder with its value formatted as a string (see formatValue).
func (t *template) render(v *values) (string, error) {
	if len(t.parts) == 1 && t.parts[0].ref == nil {
		return t.parts[0].lit, nil
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.ref == nil {
			b.WriteString(p.lit)
			continue
		}
		if s, ok := v.field(p.ref); ok { // what resolve and formatValue give, without boxing
			b.WriteString(s)
			continue
		}
		x, err := v.resolve(p.ref)
		if err != nil {
			return "", err
		}
		s, err := formatValue(x)
		if err != nil {
			return "", fmt.Errorf("%s: %w", p.ref.text, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}
