package rules

import "github.com/evtrigger/evtrigger/task"

// taskRoom is where the tasks of one event's matches are rendered: their HTTP tasks in one
// slice allocated together, and their JSON bodies appended to one buffer (the caller's, passed
// along and returned, so that it can live on the caller's stack) that becomes a single string
// when every task is rendered (finish). While it renders, it remembers where in that buffer the
// JSON of each payload and metadata placeholder is, so that a path several bodies use is looked
// up and encoded once per event. A zero taskRoom works; it serves one event on one goroutine.
type taskRoom struct {
	https  []task.HTTP // HTTP tasks not used yet
	spans  [maxSpans]bodySpan
	nSpans int
	memo   [maxMemo]jsonMemo
	nMemo  int
}

// bodySpan is the body of one HTTP task: buf[from:to].
type bodySpan struct {
	h        *task.HTTP
	from, to int
}

// jsonMemo is where a placeholder's value, encoded as JSON, is in the buffer: buf[from:to].
type jsonMemo struct {
	key      string // ref.key
	from, to int
}

// The bodies whose place a taskRoom records (the others get their own string at once), and the
// placeholders it remembers (it looks them up one by one).
const (
	maxSpans = 16
	maxMemo  = 8
)

// add places h, whose body is buf[from:to] when from >= 0, in the room and returns it. Without a
// room (nil) it returns a copy of h.
func (r *taskRoom) add(h task.HTTP, buf []byte, from, to int) *task.HTTP {
	var p *task.HTTP
	if r != nil && len(r.https) > 0 {
		p, r.https = &r.https[0], r.https[1:]
	} else {
		p = new(task.HTTP)
	}
	*p = h
	switch {
	case from < 0 || r == nil:
	case r.nSpans < maxSpans:
		r.spans[r.nSpans] = bodySpan{h: p, from: from, to: to}
		r.nSpans++
	default:
		p.Body = string(buf[from:to])
	}
	return p
}

// appendBody renders the JSON body of jt for v at the end of buf and returns buf and where the
// body is in it; or, when the body has a value only encoding/json writes, buf as it was and the
// body itself, with from = -1.
func (r *taskRoom) appendBody(buf []byte, jt *jsonTemplate, v *values) (out []byte, from, to int, body string, err error) {
	from = len(buf)
	out, ok, err := jt.appendJSON(buf, v, r)
	if err != nil || !ok {
		r.forget(from)
		if err == nil {
			body, err = jt.encodeJSON(v)
		}
		return buf[:from], -1, -1, body, err
	}
	return out, from, len(out), "", nil
}

// forget drops what the memo knows of the buffer from n on.
func (r *taskRoom) forget(n int) {
	for r.nMemo > 0 && r.memo[r.nMemo-1].to > n {
		r.nMemo--
	}
}

// find returns where the JSON of the placeholder with key is in the buffer, if it is.
func (r *taskRoom) find(key string) (from, to int, ok bool) {
	if r == nil {
		return 0, 0, false
	}
	for _, m := range r.memo[:r.nMemo] {
		if m.key == key {
			return m.from, m.to, true
		}
	}
	return 0, 0, false
}

// remember records that the JSON of the placeholder with key is at buf[from:to].
func (r *taskRoom) remember(key string, from, to int) {
	if r != nil && r.nMemo < maxMemo {
		r.memo[r.nMemo] = jsonMemo{key: key, from: from, to: to}
		r.nMemo++
	}
}

// finish sets the bodies recorded in the room from buf, all of them sharing one string.
func (r *taskRoom) finish(buf []byte) {
	if r.nSpans == 0 {
		return
	}
	s := string(buf)
	for _, sp := range r.spans[:r.nSpans] {
		sp.h.Body = s[sp.from:sp.to]
	}
}
