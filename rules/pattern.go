package rules

import (
	"fmt"
	"strings"
)

// pattern is a parsed eventType: an exact type or a pattern of literal, "*" and "#" segments.
type pattern struct {
	raw string
	// segs are the segments, with runs of "#" collapsed into one.
	segs []string
	// exact is true when no segment is a wildcard: raw is then the one type matched.
	exact bool
}

// parsePattern parses an eventType following the grammar in the package doc.
func parsePattern(s string) (pattern, error) {
	if s == "" {
		return pattern{}, fmt.Errorf("empty event type")
	}
	p := pattern{raw: s, exact: true}
	for i, seg := range strings.Split(s, ".") {
		switch {
		case seg == "*":
			p.exact = false
		case seg == "#":
			p.exact = false
			if len(p.segs) > 0 && p.segs[len(p.segs)-1] == "#" {
				continue // "#.#" matches what "#" matches
			}
		case seg == "":
			return pattern{}, fmt.Errorf("event type pattern %q: segment %d is empty", s, i+1)
		case !isLiteralSegment(seg):
			return pattern{}, fmt.Errorf("event type pattern %q: segment %q: want letters, digits, "+
				"'_' and '-', or exactly '*' or '#'", s, seg)
		}
		p.segs = append(p.segs, seg)
	}
	return p, nil
}

// isLiteralSegment reports whether seg is 1*(ALPHA / DIGIT / "_" / "-").
func isLiteralSegment(seg string) bool {
	if seg == "" {
		return false
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// matchSegments reports whether the event type, split into its segments, matches the pattern.
//
// It is the classic wildcard match with backtracking to the last "#": "*" plays the part of a
// one-character wildcard and "#" that of the any-sequence wildcard, over segments instead of
// characters. It runs in O(len(p.segs) * len(typ)).
func (p *pattern) matchSegments(typ []string) bool {
	pi, ti := 0, 0
	star, starT := -1, 0
	for ti < len(typ) {
		switch {
		case pi < len(p.segs) && p.segs[pi] == "#":
			star, starT = pi, ti
			pi++
		case pi < len(p.segs) && (p.segs[pi] == "*" || p.segs[pi] == typ[ti]):
			pi++
			ti++
		case star >= 0:
			starT++
			pi, ti = star+1, starT
		default:
			return false
		}
	}
	for pi < len(p.segs) && p.segs[pi] == "#" {
		pi++
	}
	return pi == len(p.segs)
}

// match reports whether the event type matches the pattern.
func (p *pattern) match(eventType string) bool {
	if p.exact {
		return p.raw == eventType
	}
	return p.matchSegments(strings.Split(eventType, "."))
}
