package activities

import (
	"strings"
	"testing"
)

func TestTailBufferKeepsLastBytes(t *testing.T) {
	for _, limit := range []int{0, 1, 7, 64} {
		tb := newTailBuffer(limit)
		var all strings.Builder
		for i := range 200 {
			chunk := strings.Repeat(string(rune('a'+i%26)), i%(limit+3)+1)
			all.WriteString(chunk)
			if n, err := tb.Write([]byte(chunk)); n != len(chunk) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
			want := all.String()
			want = want[max(len(want)-limit, 0):]
			if got := tb.String(); got != want {
				t.Fatalf("limit %d after %d writes: %q, want %q", limit, i+1, got, want)
			}
			if cap(tb.buf) > 2*limit {
				t.Fatalf("limit %d: buffer grew to %d", limit, cap(tb.buf))
			}
		}
	}
}

func TestTailBufferDropsPartialRune(t *testing.T) {
	tb := newTailBuffer(3)
	_, _ = tb.Write([]byte("abc€x")) // € is 3 bytes; the tail starts inside it
	if got := tb.String(); got != "x" {
		t.Errorf("tail = %q, want %q", got, "x")
	}
	tb = newTailBuffer(4)
	_, _ = tb.Write([]byte("€x"))
	if got := tb.String(); got != "€x" {
		t.Errorf("tail = %q, want %q", got, "€x")
	}
}
