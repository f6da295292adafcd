package kafka

import "sort"

// tracker follows the records of one partition from receipt to done and says how far the
// partition may be committed: up to, not past, the first record not yet done. Records are added
// in offset order (as Kafka delivers a partition) and finish in any order.
type tracker struct {
	entries []entry // received, not yet committed past; offsets increasing
	// next is the offset after the last record known done with every earlier record done
	// (the committable offset), or -1 before any record finished.
	next      int64
	nextEpoch int32
	// maxSeen is the highest offset added, or -1.
	maxSeen int64
	// undone counts the entries not yet done.
	undone int
}

type entry struct {
	offset int64
	epoch  int32
	done   bool
}

func newTracker() *tracker { return &tracker{next: -1, maxSeen: -1} }

// add records a received record. A record at or below the highest offset already added is a
// repeat (a redelivered fetch) and is ignored: add reports false.
func (t *tracker) add(offset int64, epoch int32) bool {
	if offset <= t.maxSeen {
		return false
	}
	t.maxSeen = offset
	t.entries = append(t.entries, entry{offset: offset, epoch: epoch})
	t.undone++
	return true
}

// skip records a received record that is done already (one the source's Screen turned away).
// Like add, it reports false for a repeat.
func (t *tracker) skip(offset int64, epoch int32) bool {
	if offset <= t.maxSeen {
		return false
	}
	t.maxSeen = offset
	if len(t.entries) == 0 { // every earlier record is done: commit past this one
		t.next, t.nextEpoch = offset+1, epoch
		return true
	}
	t.entries = append(t.entries, entry{offset: offset, epoch: epoch, done: true})
	return true
}

// done marks the record at offset finished and advances the committable offset over every
// finished record at the front.
func (t *tracker) done(offset int64) {
	i := sort.Search(len(t.entries), func(i int) bool { return t.entries[i].offset >= offset })
	if i == len(t.entries) || t.entries[i].offset != offset || t.entries[i].done {
		return
	}
	t.entries[i].done = true
	t.undone--
	n := 0
	for n < len(t.entries) && t.entries[n].done {
		t.next, t.nextEpoch = t.entries[n].offset+1, t.entries[n].epoch
		n++
	}
	t.entries = t.entries[n:]
}

// committable returns the offset to commit (the next record to consume) and its leader epoch;
// ok is false while nothing has finished.
func (t *tracker) committable() (offset int64, epoch int32, ok bool) {
	return t.next, t.nextEpoch, t.next >= 0
}

// lastSeen is the highest offset added or skipped, -1 before any.
func (t *tracker) lastSeen() int64 { return t.maxSeen }

// pending counts the records received and not yet done.
func (t *tracker) pending() int { return t.undone }
