package activities

import (
	"sync"
	"unicode/utf8"
)

// tailBuffer is an io.Writer that keeps only the last limit bytes written to it, in at most
// 2*limit bytes of memory. It is safe for concurrent use.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	total int64
}

func newTailBuffer(limit int) *tailBuffer {
	return &tailBuffer{limit: max(limit, 0)}
}

// Write keeps the tail of p; it never fails.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total += int64(len(p))
	if t.buf == nil && t.limit > 0 {
		t.buf = make([]byte, 0, 2*t.limit)
	}
	switch {
	case t.limit == 0:
	case len(p) >= t.limit:
		t.buf = append(t.buf[:0], p[len(p)-t.limit:]...)
	default:
		if len(t.buf)+len(p) > 2*t.limit {
			keep := t.limit - len(p)
			t.buf = append(t.buf[:0], t.buf[len(t.buf)-keep:]...)
		}
		t.buf = append(t.buf, p...)
	}
	return len(p), nil
}

// String returns the last limit bytes written. When earlier bytes were dropped, a partial UTF-8
// sequence at the start is dropped too.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf[max(len(t.buf)-t.limit, 0):]
	if t.total > int64(len(b)) {
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0 && !utf8.RuneStart(b[0]); i++ {
			b = b[1:]
		}
	}
	return string(b)
}
