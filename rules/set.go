package rules

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/evtrigger/evtrigger/event"
)

// Set is an immutable snapshot of compiled rules, indexed by event type: a map from exact type
// to its rules plus the list of pattern rules, so evaluating an event never looks at rules of
// other exact types. It is safe for concurrent use; a nil *Set is empty.
type Set struct {
	rules []*Compiled            // all, by ID
	exact map[string][]*Compiled // exact type → its rules, by ID
	// Rules with wildcards, by ID: those whose first segment is literal by that segment (an event
	// type can only match them when its own first segment is the same), the others in wildFirst.
	byFirst   map[string][]*Compiled
	wildFirst []*Compiled
	// For MayMatch: the types and distinct patterns of enabled rules.
	enabledExact    map[string]bool
	enabledPatterns []*pattern
	matchAll        bool // an enabled rule's pattern is "#"
	ordered         bool // an enabled rule has an orderBy
}

// NewSet indexes rules. Rule IDs should be unique (a load guarantees it); when one repeats, the
// last rule with that ID wins. nil entries are skipped. The slice is not kept.
func NewSet(rules []*Compiled) *Set {
	byID := map[string]*Compiled{}
	for _, c := range rules {
		if c != nil {
			byID[c.Rule.ID] = c
		}
	}
	s := &Set{exact: map[string][]*Compiled{}, byFirst: map[string][]*Compiled{}, enabledExact: map[string]bool{}}
	for _, id := range sortedKeys(byID) {
		c := byID[id]
		s.rules = append(s.rules, c)
		if c.pattern.exact {
			s.exact[c.pattern.raw] = append(s.exact[c.pattern.raw], c)
		} else if first := c.pattern.segs[0]; first != "*" && first != "#" {
			s.byFirst[first] = append(s.byFirst[first], c)
		} else {
			s.wildFirst = append(s.wildFirst, c)
		}
		if c.Rule.IsEnabled() {
			s.indexEnabled(&c.pattern)
			s.ordered = s.ordered || c.orderBy != nil
		}
	}
	return s
}

// indexEnabled records the pattern of an enabled rule for MayMatch.
func (s *Set) indexEnabled(p *pattern) {
	switch {
	case p.exact:
		s.enabledExact[p.raw] = true
	case len(p.segs) == 1 && p.segs[0] == "#":
		s.matchAll = true
	case !slices.ContainsFunc(s.enabledPatterns, func(q *pattern) bool { return q.raw == p.raw }):
		s.enabledPatterns = append(s.enabledPatterns, p)
	}
}

// Len is the number of rules.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// Rules returns the rules, defaults applied, sorted by ID. The Rule values are copies, but their
// Parameters, Retry and Enabled are shared: treat them as read-only.
func (s *Set) Rules() []Rule {
	if s == nil {
		return []Rule{}
	}
	out := make([]Rule, len(s.rules))
	for i, c := range s.rules {
		out[i] = c.Rule
	}
	return out
}

// MayMatch reports whether any enabled rule's event type matches eventType: a cheap pre-filter
// for ingress, which may drop events for which it is false. It evaluates no condition.
func (s *Set) MayMatch(eventType string) bool {
	if s == nil {
		return false
	}
	if s.matchAll || s.enabledExact[eventType] {
		return true
	}
	if len(s.enabledPatterns) == 0 {
		return false
	}
	segs := strings.Split(eventType, ".")
	for _, p := range s.enabledPatterns {
		if p.matchSegments(segs) {
			return true
		}
	}
	return false
}

// candidates appends to dst the rules whose event type matches, by ID: the exact ones, and the
// pattern rules filed under the type's first segment or under a wildcard first segment that
// match. Without pattern rules to check it returns the exact ones as they are.
func (s *Set) candidates(dst []*Compiled, eventType string) []*Compiled {
	exact := s.exact[eventType]
	first, _, _ := strings.Cut(eventType, ".")
	byFirst := s.byFirst[first]
	if len(byFirst) == 0 && len(s.wildFirst) == 0 {
		return exact
	}
	var room [8]string
	segs := appendSegments(room[:0], eventType)
	var found [8]*Compiled
	pats := found[:0]
	for _, c := range byFirst {
		if c.pattern.matchSegments(segs) {
			pats = append(pats, c)
		}
	}
	fromFirst := len(pats)
	for _, c := range s.wildFirst {
		if c.pattern.matchSegments(segs) {
			pats = append(pats, c)
		}
	}
	pats = orderByID(pats, 0, fromFirst)
	start := len(dst)
	dst = append(dst, exact...)
	mid := len(dst)
	dst = append(dst, pats...)
	return orderByID(dst, start, mid)
}

// appendSegments appends the dot-separated segments of s to dst.
func appendSegments(dst []string, s string) []string {
	for {
		seg, rest, found := strings.Cut(s, ".")
		dst = append(dst, seg)
		if !found {
			return dst
		}
		s = rest
	}
}

// orderByID orders rules[start:] by ID, given that rules[start:mid] and rules[mid:] are each
// in that order already.
func orderByID(rules []*Compiled, start, mid int) []*Compiled {
	if mid == start || mid == len(rules) || rules[mid-1].Rule.ID < rules[mid].Rule.ID {
		return rules // one run, or the second starts after the first ends
	}
	slices.SortFunc(rules[start:], func(a, b *Compiled) int { return cmp.Compare(a.Rule.ID, b.Rule.ID) })
	return rules
}

// Evaluate runs the rules whose event type matches ev.Type against ev. Each of them gets a
// Verdict (disabled, condition_false, condition_error, render_error or matched), sorted by rule
// ID; each matched rule also a Match with its task rendered, sorted by priority (HIGH first) and
// then rule ID. Rules of other types are not looked at and get no Verdict. A failing condition or
// render affects its rule only. Matched and Verdicts are never nil; the matches' tasks are
// read-only (see Match.Task).
func (s *Set) Evaluate(ctx context.Context, ev event.Event) Evaluation {
	if s == nil {
		return Evaluation{Matched: []Match{}, Verdicts: []Verdict{}}
	}
	var room [16]*Compiled
	return evaluate(ctx, &ev, s.candidates(room[:0], ev.Type))
}

// Explain is Evaluate plus a type_mismatch Verdict for every other rule of the set: the
// offline dry run's view of why each rule did or did not fire.
func (s *Set) Explain(ctx context.Context, ev event.Event) Evaluation {
	e := s.Evaluate(ctx, ev)
	if s == nil {
		return e
	}
	verdicts := make([]Verdict, 0, len(s.rules))
	i := 0
	for _, c := range s.rules {
		if i < len(e.Verdicts) && e.Verdicts[i].RuleID == c.Rule.ID {
			verdicts = append(verdicts, e.Verdicts[i])
			i++
			continue
		}
		verdicts = append(verdicts, Verdict{RuleID: c.Rule.ID, Version: c.Rule.Version, Outcome: OutcomeTypeMismatch})
	}
	e.Verdicts = verdicts
	return e
}
