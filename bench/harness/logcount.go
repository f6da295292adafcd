package harness

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
)

// LogCounter is a slog.Handler that counts warnings by message instead of printing them (a
// saturated phase retries hundreds of starts, each logged) and passes errors on to next.
type LogCounter struct {
	next   slog.Handler
	mu     *sync.Mutex
	counts map[string]int
}

// NewLogCounter returns a counter passing records at slog.LevelError and above to next.
func NewLogCounter(next slog.Handler) *LogCounter {
	return &LogCounter{next: next, mu: &sync.Mutex{}, counts: map[string]int{}}
}

// Enabled reports whether the handler handles records at level: warnings and above.
func (h *LogCounter) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn
}

// Handle counts a warning, or passes an error on.
func (h *LogCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		return h.next.Handle(ctx, r)
	}
	h.mu.Lock()
	h.counts[r.Message]++
	h.mu.Unlock()
	return nil
}

// WithAttrs returns a handler sharing the counts.
func (h *LogCounter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &LogCounter{next: h.next.WithAttrs(attrs), mu: h.mu, counts: h.counts}
}

// WithGroup returns a handler sharing the counts.
func (h *LogCounter) WithGroup(name string) slog.Handler {
	return &LogCounter{next: h.next.WithGroup(name), mu: h.mu, counts: h.counts}
}

// Take returns the warnings counted since the last Take, as "message ×n" sorted by message,
// and resets the counts; "" when there were none.
func (h *LogCounter) Take() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, msg := range slices.Sorted(maps.Keys(h.counts)) {
		out = append(out, fmt.Sprintf("%q ×%d", msg, h.counts[msg]))
	}
	clear(h.counts)
	return strings.Join(out, ", ")
}
