package devserver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartRetriesAServerThatExitsEarly: a server that exits before it is ready (here a fake
// CLI that prints and fails) is started again on a fresh port, startAttempts times in all when
// the port was not given, and the error ends with what it printed.
func TestStartRetriesAServerThatExitsEarly(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	bin := filepath.Join(dir, "temporal")
	script := "#!/bin/sh\necho run >> " + runs + "\necho 'listen tcp: address already in use' >&2\nexit 2\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{Bin: bin})
	if !errors.Is(err, errExited) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("error = %v, want errExited with the server's output", err)
	}
	if n := countLines(t, runs); n != startAttempts {
		t.Errorf("the server was started %d times, want %d", n, startAttempts)
	}

	// With a port given, there is no other port to try.
	os.Remove(runs)
	port, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Options{Bin: bin, Port: port}); !errors.Is(err, errExited) {
		t.Fatalf("error = %v, want errExited", err)
	}
	if n := countLines(t, runs); n != 1 {
		t.Errorf("the server was started %d times on its given port, want 1", n)
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	tb := &tailBuffer{max: 8}
	for _, s := range []string{"0123", "4567", "89ab"} {
		tb.Write([]byte(s))
	}
	if got := tb.String(); got != "456789ab" {
		t.Errorf("tail = %q, want %q", got, "456789ab")
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}
