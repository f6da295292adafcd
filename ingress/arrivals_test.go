package ingress

import (
	"context"
	"testing"
	"time"
)

// waitReturns reports whether t.Wait returns within d (false: it is still blocked).
func waitReturns(t *testing.T, tk *Ticket, d time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return tk.Wait(ctx) == nil
}

func TestArrivalsOrderPerKey(t *testing.T) {
	a := NewArrivals()
	t1, t2, t3, t4 := a.Ticket(), a.Ticket(), a.Ticket(), a.Ticket()
	ctx := t.Context()
	// Declared out of arrival order: t3 first, in its own goroutine, must wait for t1 and t2.
	declared3 := make(chan error, 1)
	go func() { declared3 <- t3.Declare(ctx, []string{"k"}) }()
	select {
	case <-declared3:
		t.Fatal("t3 declared before the tickets ahead of it")
	case <-time.After(50 * time.Millisecond):
	}
	if err := t1.Declare(ctx, []string{"k"}); err != nil {
		t.Fatal(err)
	}
	if err := t2.Declare(ctx, []string{"other"}); err != nil {
		t.Fatal(err)
	}
	if err := <-declared3; err != nil {
		t.Fatal(err)
	}
	t4.Done() // never declared (a poison message): declares keyless in its turn
	if !waitReturns(t, t1, time.Second) || !waitReturns(t, t2, time.Second) {
		t.Fatal("the first tickets of their keys waited")
	}
	if waitReturns(t, t3, 50*time.Millisecond) {
		t.Fatal("t3 went on before t1, the earlier ticket of its key, was done")
	}
	t2.Done() // another key: no effect on t3
	if waitReturns(t, t3, 50*time.Millisecond) {
		t.Fatal("t3 went on when a ticket of another key was done")
	}
	t1.Done()
	if !waitReturns(t, t3, 5*time.Second) {
		t.Fatal("t3 still waits after t1 is done")
	}
	t3.Done()
	t5 := a.Ticket()
	if err := t5.Declare(ctx, []string{"k"}); err != nil {
		t.Fatal(err) // t4's keyless declaration let t5 declare
	}
	if !waitReturns(t, t5, time.Second) {
		t.Fatal("t5 waits though every earlier ticket of its key is done")
	}
	t5.Done()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.last) != 0 {
		t.Errorf("keys left after every ticket is done: %v", a.last)
	}
}

func TestArrivalsRedeclareKeepsPlace(t *testing.T) {
	a := NewArrivals()
	t1, t2 := a.Ticket(), a.Ticket()
	ctx := t.Context()
	if err := t1.Declare(ctx, []string{"k"}); err != nil {
		t.Fatal(err)
	}
	if err := t2.Declare(ctx, []string{"k"}); err != nil {
		t.Fatal(err)
	}
	// A retried message declares again, maybe with other keys: its first declaration holds.
	if err := t2.Declare(ctx, []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if waitReturns(t, t2, 50*time.Millisecond) {
		t.Fatal("the re-declared t2 lost its place behind t1")
	}
	t1.Done()
	if !waitReturns(t, t2, 5*time.Second) {
		t.Fatal("t2 still waits after t1 is done")
	}
}

func TestNilTicketWaitsForNothing(t *testing.T) {
	var tk *Ticket
	if err := tk.Declare(t.Context(), []string{"k"}); err != nil {
		t.Fatal(err)
	}
	if err := tk.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	tk.Done()
}

func TestDeclareEndsWithContext(t *testing.T) {
	a := NewArrivals()
	a.Ticket() // never declared nor done
	t2 := a.Ticket()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := t2.Declare(ctx, nil); err == nil {
		t.Fatal("Declare behind a ticket that never declares returned nil on a canceled context")
	}
}
