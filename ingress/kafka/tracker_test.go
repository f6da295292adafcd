package kafka

import (
	"math/rand/v2"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestTrackerNeverCommitsPastUnfinishedWork(t *testing.T) {
	tr := newTracker()
	for off := int64(10); off < 15; off++ {
		tr.add(off, 1)
	}
	if _, _, ok := tr.committable(); ok {
		t.Fatal("committable before anything finished")
	}
	steps := []struct {
		done int64
		want int64 // -1: nothing committable yet
	}{
		{12, -1}, // 10 and 11 still running
		{10, 11}, // 10 done, 11 not
		{14, 11},
		{11, 13}, // 10..12 done, 13 not
		{13, 15}, // all done
	}
	for _, s := range steps {
		tr.done(s.done)
		off, _, ok := tr.committable()
		if (s.want < 0 && ok) || (s.want >= 0 && (!ok || off != s.want)) {
			t.Fatalf("after done(%d): committable %d, %v; want %d", s.done, off, ok, s.want)
		}
	}
	if tr.pending() != 0 {
		t.Fatalf("pending %d, want 0", tr.pending())
	}
}

func TestTrackerIgnoresRepeatsAndGaps(t *testing.T) {
	tr := newTracker()
	tr.add(5, 0)
	tr.add(9, 0) // a gap (compaction, transaction markers) is fine
	if tr.add(9, 0) || tr.add(3, 0) {
		t.Fatal("a repeated or older offset was accepted")
	}
	tr.done(9)
	if _, _, ok := tr.committable(); ok {
		t.Fatal("committed past 5, which is not done")
	}
	tr.done(5)
	if off, _, _ := tr.committable(); off != 10 {
		t.Fatalf("committable %d, want 10", off)
	}
}

// TestTrackerRandomOrder finishes records in random order and checks, after every step, that
// the committable offset is exactly the first unfinished one.
func TestTrackerRandomOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 500
	tr := newTracker()
	for off := int64(0); off < n; off++ {
		tr.add(off, 0)
	}
	finished := make([]bool, n)
	for _, off := range r.Perm(n) {
		tr.done(int64(off))
		finished[off] = true
		first := int64(0)
		for first < n && finished[first] {
			first++
		}
		got, _, ok := tr.committable()
		if first == 0 && ok || first > 0 && got != first {
			t.Fatalf("first unfinished %d, committable %d (%v)", first, got, ok)
		}
	}
}

func TestTrackerPendingCountsEachRecordOnce(t *testing.T) {
	tr := newTracker()
	for off := int64(0); off < 4; off++ {
		tr.add(off, 0)
	}
	tr.add(2, 0) // a repeat
	tr.done(3)
	tr.done(3) // done twice
	tr.done(9) // never added
	if got := tr.pending(); got != 3 {
		t.Fatalf("pending %d, want 3 (0, 1, 2)", got)
	}
	tr.done(0)
	tr.done(1)
	tr.done(2)
	if got := tr.pending(); got != 0 {
		t.Fatalf("pending %d, want 0", got)
	}
}

func TestTrackerSkipsScreenedRecords(t *testing.T) {
	tr := newTracker()
	tr.skip(0, 1) // nothing before it: committable at once
	if off, _, ok := tr.committable(); !ok || off != 1 {
		t.Fatalf("after skip(0): committable %d, %v; want 1", off, ok)
	}
	tr.add(1, 1)
	tr.skip(2, 1)
	tr.skip(3, 2)
	if off, _, _ := tr.committable(); off != 1 {
		t.Fatalf("committable %d past 1, which is not done", off)
	}
	if tr.pending() != 1 {
		t.Fatalf("pending %d, want 1: skipped records never wait", tr.pending())
	}
	tr.done(1)
	if off, epoch, _ := tr.committable(); off != 4 || epoch != 2 {
		t.Fatalf("after done(1): committable %d (epoch %d), want 4 (epoch 2)", off, epoch)
	}
	if tr.skip(3, 2) || tr.skip(2, 1) {
		t.Fatal("a repeated offset was skipped again")
	}
}

// A repeated fetch's records already enqueued are not enqueued (nor screened) again.
func TestUnseenDropsRecordsAlreadyEnqueued(t *testing.T) {
	p := &partition{tr: newTracker()}
	p.tr.add(4, 0)
	p.tr.skip(5, 0)
	var recs []*kgo.Record
	for _, off := range []int64{3, 4, 5, 6, 7} {
		recs = append(recs, &kgo.Record{Offset: off})
	}
	var got []int64
	for _, r := range p.unseen(recs) {
		got = append(got, r.Offset)
	}
	if len(got) != 2 || got[0] != 6 || got[1] != 7 {
		t.Fatalf("unseen kept offsets %v, want [6 7]", got)
	}
}
