package rules

// Source gives the rule set to use now. Callers fetch it once per event and use that snapshot
// throughout, so a reload never splits one event's evaluation between two sets.
type Source interface {
	// Current returns the current set; never nil.
	Current() *Set
}

// Static is a Source whose set never changes.
type Static struct {
	set *Set
}

// NewStatic returns a Source that always gives set (an empty set when set is nil).
func NewStatic(set *Set) *Static {
	if set == nil {
		set = NewSet(nil)
	}
	return &Static{set: set}
}

// Current returns the set given to NewStatic.
func (s *Static) Current() *Set { return s.set }
