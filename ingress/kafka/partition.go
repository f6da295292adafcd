package kafka

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress"
)

// partition is the work of one assigned partition: records queued in offset order, handled
// concurrently (bounded), finished in any order, committed up to the first unfinished one.
type partition struct {
	topic string
	id    int32
	src   *Source

	// ctx is the records' handling context: canceled when the partition is lost, or when the
	// drain timeout passes on revocation or shutdown.
	ctx    context.Context
	cancel context.CancelFunc
	stop   chan struct{} // closed: start no more records
	wg     sync.WaitGroup
	slots  chan struct{} // records of this partition in flight
	order  *ingress.Arrivals
	wake   chan struct{}
	away   []bool // scratch of enqueue (the poll loop's goroutine only): what Screen turned away

	mu        sync.Mutex
	tr        *tracker
	queue     []*kgo.Record // received, not yet started
	paused    bool
	committed int64 // offset last committed, -1 for none
}

func newPartition(src *Source, topic string, id int32) *partition {
	ctx, cancel := context.WithCancel(context.Background())
	return &partition{
		topic: topic, id: id, src: src, ctx: ctx, cancel: cancel,
		stop:  make(chan struct{}),
		slots: make(chan struct{}, src.opts.MaxInFlightPerPartition),
		wake:  make(chan struct{}, 1),
		tr:    newTracker(), committed: -1, order: ingress.NewArrivals(),
	}
}

// enqueue queues fetched records, marks done at once those the source's Screen turns away
// (they never wait, so they never pause the partition), and pauses fetching the partition when
// too many are waiting.
func (p *partition) enqueue(recs []*kgo.Record) {
	recs = p.unseen(recs)
	away := p.screen(recs) // outside the lock: the pump and the handlers go on meanwhile
	p.mu.Lock()
	for i, r := range recs {
		if away[i] {
			p.tr.skip(r.Offset, r.LeaderEpoch)
		} else if p.tr.add(r.Offset, r.LeaderEpoch) {
			p.queue = append(p.queue, r)
		}
	}
	if !p.paused && p.tr.pending() >= p.src.opts.MaxBufferedPerPartition {
		p.paused = true // under mu, so a pause and a resume never swap order
		p.src.client.PauseFetchPartitions(map[string][]int32{p.topic: {p.id}})
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// unseen returns the records of recs past the highest offset the tracker has seen: a fetch
// repeated after a pause or an error may return records already enqueued, and in offset order.
// Only enqueue adds to the tracker, so the offset holds until enqueue locks again.
func (p *partition) unseen(recs []*kgo.Record) []*kgo.Record {
	p.mu.Lock()
	seen := p.tr.lastSeen()
	p.mu.Unlock()
	i := 0
	for i < len(recs) && recs[i].Offset <= seen {
		i++
	}
	return recs[i:]
}

// screen returns, for each record, whether the source's Screen turns it away (all false without
// a Screen). The slice is reused by the next call.
func (p *partition) screen(recs []*kgo.Record) []bool {
	p.away = append(p.away[:0], make([]bool, len(recs))...)
	if screen := p.src.opts.Screen; screen != nil {
		for i, r := range recs {
			p.away[i] = screen(r.Value)
		}
	}
	return p.away
}

// pump starts queued records in order as slots free up, until stopped.
func (p *partition) pump() {
	defer p.wg.Done()
	for {
		r := p.next()
		if r == nil {
			return
		}
		if !p.acquire() {
			return
		}
		p.wg.Add(1)
		go p.handle(r, p.order.Ticket())
	}
}

// next returns the next queued record, waiting for one; nil once the partition stops.
func (p *partition) next() *kgo.Record {
	for {
		p.mu.Lock()
		if len(p.queue) > 0 {
			r := p.queue[0]
			p.queue = p.queue[1:]
			p.mu.Unlock()
			return r
		}
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-p.stop:
			return nil
		}
	}
}

// acquire takes a slot of the partition and one of the source; false once the partition stops.
func (p *partition) acquire() bool {
	select {
	case p.slots <- struct{}{}:
	case <-p.stop:
		return false
	}
	select {
	case p.src.slots <- struct{}{}:
		return true
	case <-p.stop:
		<-p.slots
		return false
	}
}

func (p *partition) handle(r *kgo.Record, t *ingress.Ticket) {
	defer p.wg.Done()
	done := p.src.process(p.ctx, r, t)
	t.Done()
	<-p.src.slots
	<-p.slots
	if !done {
		return // abandoned: stays uncommitted and is redelivered
	}
	p.finished(r.Offset)
}

// finished marks the record at offset done, and resumes fetching once few enough wait.
func (p *partition) finished(offset int64) {
	p.mu.Lock()
	p.tr.done(offset)
	if p.paused && p.tr.pending() < p.src.opts.MaxBufferedPerPartition/2 {
		p.paused = false
		p.src.client.ResumeFetchPartitions(map[string][]int32{p.topic: {p.id}})
	}
	p.mu.Unlock()
}

// toCommit returns the committable offset when it moved since the last commit.
func (p *partition) toCommit() (kgo.EpochOffset, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	off, epoch, ok := p.tr.committable()
	if !ok || off == p.committed {
		return kgo.EpochOffset{}, false
	}
	return kgo.EpochOffset{Epoch: epoch, Offset: off}, true
}

func (p *partition) markCommitted(off int64) {
	p.mu.Lock()
	p.committed = max(p.committed, off)
	p.mu.Unlock()
}

// drain stops starting records and waits up to timeout for those in flight, then abandons the
// rest (their handling context is canceled) and waits for them to return.
func (p *partition) drain(timeout time.Duration) {
	close(p.stop)
	finished := make(chan struct{})
	go func() { p.wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(timeout):
		p.cancel()
		<-finished
	}
	p.cancel()
}
