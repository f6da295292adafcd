package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
	"github.com/evtrigger/evtrigger/rules/store/storetest"
)

// lockedBuffer collects log output from the reloader's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func verdictOf(set *rules.Set, id string, ev event.Event) rules.Outcome {
	for _, v := range set.Explain(context.Background(), ev).Verdicts {
		if v.RuleID == id {
			return v.Outcome
		}
	}
	return ""
}

// TestReloaderFollowsAnotherHandle: changes made through a second handle (as another process
// would) reach the reloader within 2 s; a rule that no longer compiles keeps its last good
// version and does not take the others down.
func TestReloaderFollowsAnotherHandle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		writer := storetest.Open(t, dsn)
		if _, err := writer.Create(ctx, shellRule("a", "order.created", "payload.amount > 10")); err != nil {
			t.Fatal(err)
		}
		logs := &lockedBuffer{}
		rl, err := store.NewReloader(ctx, storetest.Open(t, dsn), store.ReloaderOptions{
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer rl.Close()
		ev := event.Event{ID: "e", Type: "order.created", Payload: map[string]any{"amount": 20}}
		if got := verdictOf(rl.Current(), "a", ev); got != rules.OutcomeMatched {
			t.Fatalf("initial verdict %q", got)
		}
		if _, err := writer.SetEnabled(ctx, "a", false, 0); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 2*time.Second, "the disable reaches the reloader", func() bool {
			return verdictOf(rl.Current(), "a", ev) == rules.OutcomeDisabled
		})
		if _, err := writer.Create(ctx, shellRule("b", "order.created", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := writer.Update(ctx, shellRule("a", "order.created", "payload.amount >"), 2); err != nil {
			t.Fatal(err)
		}
		rev, _ := writer.Revision(ctx)
		testenv.Eventually(t, 2*time.Second, "the reloader reaches the store's revision", func() bool {
			return rl.Revision() == rev
		})
		if rl.Current().Len() != 2 {
			t.Errorf("%d rules loaded, want 2 (a and the new b)", rl.Current().Len())
		}
		if got := verdictOf(rl.Current(), "a", ev); got != rules.OutcomeDisabled {
			t.Errorf("rule a = %q: want its last good version (2, disabled)", got)
		}
		if !strings.Contains(logs.String(), "stored rule does not compile") {
			t.Errorf("the bad rule was not logged:\n%s", logs.String())
		}
	})
}
