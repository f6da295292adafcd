package event

import (
	"encoding/binary"
	"math/bits"
	"time"
	"unicode/utf8"
	"unsafe"
)

// maxScreenDepth bounds how deeply nested objects and arrays Screen follows: a body nested
// deeper gets ok=false and goes the slow way (encoding/json's own limit is 10000).
const maxScreenDepth = 256

// Screen returns the event type of body when Parse(body, opts) with opts.MaxSize = maxSize (<= 0:
// DefaultMaxSize) would certainly succeed, whatever opts.DefaultID and opts.Now are. ok is false
// when it cannot tell cheaply; only Parse can then say whether body is an event, and why not.
// It lets an ingress drop an event no rule listens to without the full parse, while a body that
// may be malformed still goes through Parse to its error.
//
// ok is true only for a seed envelope (no "specversion" member) that is one well-formed JSON
// object, nested at most 256 deep, whose top-level keys have no escapes, with a "messageId" and
// an "eventType" that are valid without escapes; "timestamp" and "priority" absent, null, "" or
// valid without escapes; "source" and "destination" absent, null or strings; "payload" and
// "metadata" absent, null or objects. The last of duplicate members counts, as in Parse.
// Invalid UTF-8 inside any other string is accepted, as encoding/json accepts it (Parse replaces
// it with U+FFFD).
//
// Screen reads body once and allocates only the returned type, except when upper-casing a
// priority with lowercase letters ("low") and when time.Parse builds the zone of a timestamp
// whose UTC offset is not whole hours.
func Screen(body []byte, maxSize int) (typ string, ok bool) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if len(body) > maxSize {
		return "", false
	}
	s := screener{b: body}
	var env screenedEnvelope
	s.ws()
	if s.peek() != '{' || !s.object(&env) {
		return "", false
	}
	if s.ws(); s.i != len(body) {
		return "", false
	}
	return env.check(body)
}

// screened is what Screen saw of the last occurrence of one top-level member Parse reads.
type screened struct {
	kind       byte // 0 when absent, otherwise the value's first byte: '"', '{', 'n' (null), ...
	start, end int  // a string's contents, between the quotes
	escaped    bool // the string has a backslash escape
	nonASCII   bool // the string has a byte >= 0x80
}

// plain returns the contents of a string member that has no escape and is valid UTF-8, which are
// the string Parse reads; ok is false for anything else, absent included.
func (m screened) plain(body []byte) (s []byte, ok bool) {
	if m.kind != '"' || m.escaped {
		return nil, false
	}
	s = body[m.start:m.end]
	if m.nonASCII && !utf8.Valid(s) {
		return nil, false
	}
	return s, true
}

// optionalPlain is plain, except that an absent or null member gives an empty string, as in
// Parse.
func (m screened) optionalPlain(body []byte) ([]byte, bool) {
	if m.kind == 0 || m.kind == 'n' {
		return nil, true
	}
	return m.plain(body)
}

// absentOr reports whether the member is absent, null or a value whose first byte is kind.
func (m screened) absentOr(kind byte) bool {
	return m.kind == 0 || m.kind == 'n' || m.kind == kind
}

// screenedEnvelope holds the members of the seed envelope Screen saw.
type screenedEnvelope struct {
	id, typ, time, priority, source, destination, payload, metadata screened
}

// member returns where to note the top-level member named key, nil for a member Parse ignores;
// ok is false for "specversion", which makes the body a CloudEvent.
func (e *screenedEnvelope) member(key []byte) (m *screened, ok bool) {
	switch string(key) {
	case "messageId":
		return &e.id, true
	case "eventType":
		return &e.typ, true
	case "timestamp":
		return &e.time, true
	case "priority":
		return &e.priority, true
	case "source":
		return &e.source, true
	case "destination":
		return &e.destination, true
	case "payload":
		return &e.payload, true
	case "metadata":
		return &e.metadata, true
	case "specversion":
		return nil, false
	}
	return nil, true
}

// check applies the rules of Parse's seed envelope to the members and returns the event type
// when they all pass.
func (e *screenedEnvelope) check(body []byte) (string, bool) {
	id, ok := e.id.plain(body)
	if !ok || checkID(view(id)) != "" {
		return "", false
	}
	typ, ok := e.typ.plain(body)
	if !ok || checkType(view(typ)) != "" {
		return "", false
	}
	if ts, ok := e.time.optionalPlain(body); !ok || len(ts) > 0 && !validTime(ts) {
		return "", false
	}
	if p, ok := e.priority.optionalPlain(body); !ok || len(p) > 0 && !validPriority(p) {
		return "", false
	}
	if !e.source.absentOr('"') || !e.destination.absentOr('"') ||
		!e.payload.absentOr('{') || !e.metadata.absentOr('{') {
		return "", false
	}
	return string(typ), true
}

// validTime reports whether Parse accepts s as a timestamp.
func validTime(s []byte) bool {
	_, err := time.Parse(time.RFC3339Nano, view(s))
	return err == nil
}

// validPriority reports whether Parse accepts s as a priority.
func validPriority(s []byte) bool {
	_, ok := parsePriority(view(s))
	return ok
}

// view returns b as a string without copying it, so that checking a member allocates nothing.
// The string shares b's memory: it is only passed to checks that keep nothing after they return
// (time.Parse keeps it in an error that is dropped), and the body is not changed while Screen
// runs.
func view(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// screener is Screen's JSON scanner: the body, the read position and the nesting depth there.
// Each method reads one piece of JSON syntax from the read position, leaves the position after
// it and reports whether it was well formed.
type screener struct {
	b     []byte
	i     int
	depth int
}

// peek returns the byte at the read position, 0 at the end of the body (0 starts no JSON value
// and is no JSON delimiter).
func (s *screener) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// ws skips JSON whitespace.
func (s *screener) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// value reads one JSON value.
func (s *screener) value() bool {
	switch s.peek() {
	case '{':
		return s.object(nil)
	case '[':
		return s.array()
	case '"':
		_, _, ok := s.str()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

// enter counts one more level of nesting and reports whether it is within maxScreenDepth.
func (s *screener) enter() bool {
	s.depth++
	return s.depth <= maxScreenDepth
}

// object reads an object. With env, it is the body itself: its keys must have no escapes, and
// the members Parse reads are noted in env.
func (s *screener) object(env *screenedEnvelope) bool {
	if !s.enter() {
		return false
	}
	s.i++ // '{'
	s.ws()
	if s.peek() == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		if s.peek() != '"' {
			return false
		}
		keyStart := s.i + 1
		escaped, _, ok := s.str()
		if !ok {
			return false
		}
		var m *screened
		if env != nil {
			if escaped {
				return false // an escaped key could spell a member Parse reads
			}
			if m, ok = env.member(s.b[keyStart : s.i-1]); !ok {
				return false
			}
		}
		if s.ws(); s.peek() != ':' {
			return false
		}
		s.i++
		s.ws()
		if m != nil {
			ok = s.note(m)
		} else {
			ok = s.value()
		}
		if !ok {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// note reads a value and notes in m what it is.
func (s *screener) note(m *screened) bool {
	*m = screened{kind: s.peek(), start: s.i + 1}
	if m.kind != '"' {
		return s.value()
	}
	var ok bool
	m.escaped, m.nonASCII, ok = s.str()
	m.end = s.i - 1
	return ok
}

// array reads an array.
func (s *screener) array() bool {
	if !s.enter() {
		return false
	}
	s.i++ // '['
	s.ws()
	if s.peek() == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		if !s.value() {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// str reads a string, and reports whether it has a backslash escape and a byte >= 0x80. Bytes
// >= 0x80 are not checked to be valid UTF-8, as encoding/json does not check them.
func (s *screener) str() (escaped, nonASCII, ok bool) {
	b := s.b
	for i := nextSpecial(b, s.i+1); i < len(b); i = nextSpecial(b, i+1) {
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return escaped, nonASCII, true
		case c == '\\':
			n := escapeLen(b[i+1:])
			if n == 0 {
				return false, false, false
			}
			escaped = true
			i += n
		case c < 0x20:
			return false, false, false
		default:
			nonASCII = true
		}
	}
	return false, false, false // unterminated
}

// nextSpecial returns the index of the first byte at or after i in b that str must look at (see
// stringSpecial), len(b) when there is none. It reads 8 bytes at a time.
func nextSpecial(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^(ones*'"'), w^(ones*'\\')
		// A byte's high bit is set in special when the byte is >= 0x80, below 0x20, '"' or '\\'
		// (the classic "has a byte less than" and "has a zero byte" tests). A borrow can also
		// set the bit of a later byte, never of an earlier one: the lowest set bit is exact.
		special := w&highs | (w-ones*0x20)&^w&highs | (q-ones)&^q&highs | (bs-ones)&^bs&highs
		if special != 0 {
			return i + bits.TrailingZeros64(special)/8
		}
	}
	for ; i < len(b); i++ {
		if stringSpecial[b[i]] {
			return i
		}
	}
	return i
}

// stringSpecial tells the bytes str must look at: the quote, the backslash, control characters
// and bytes >= 0x80.
var stringSpecial = func() (special [256]bool) {
	for c := range special {
		special[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80
	}
	return special
}()

// escapeLen returns the length of the escape sequence rest starts with, the backslash before it
// excluded; 0 when it is not a valid one.
func escapeLen(rest []byte) int {
	if len(rest) == 0 {
		return 0
	}
	switch rest[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(rest) < 5 {
			return 0
		}
		for _, c := range rest[1:5] {
			if !isHex(c) {
				return 0
			}
		}
		return 5
	}
	return 0
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number reads a number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?. What follows it
// is left to the caller, which wants a delimiter or whitespace ("01" and "1x" fail there).
func (s *screener) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	s.i = i
	return true
}

// skipDigits returns the index of the first byte at or after i in b that is not a decimal digit.
func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// literal reads the literal lit (true, false or null). What follows it is left to the caller.
func (s *screener) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}
