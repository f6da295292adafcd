package kafka_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// Records the Screen turns away are committed without a handler call; the others are handled
// as without a Screen, in between them.
func TestScreenedRecordsAreCommittedUnhandled(t *testing.T) {
	c := kafkatest.NewCluster(t, 3, "screened", "screened.dlq")
	var want []string
	for i := range 60 {
		body := fmt.Sprintf("skip-%d", i)
		if i%3 == 0 {
			body = fmt.Sprintf("keep-%d", i)
			want = append(want, body)
		}
		c.Produce(t, "screened", []byte(body), []byte(body), nil)
	}
	opts := c.SourceOptions("screen", 4, "screened")
	var screened atomic.Int64
	opts.Screen = func(value []byte) bool {
		if bytes.HasPrefix(value, []byte("skip-")) {
			screened.Add(1)
			return true
		}
		return false
	}
	src, err := kafka.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var handled []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- src.Run(ctx, func(_ context.Context, m ingress.Message) error {
			mu.Lock()
			defer mu.Unlock()
			handled = append(handled, string(m.Body))
			return nil
		})
	}()
	testenv.Eventually(t, 30*time.Second, "the 20 kept records handled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) >= 20
	})
	testenv.Eventually(t, 30*time.Second, "all 60 records committed", func() bool {
		return c.Committed(t, "screen", "screened") == 60
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(handled)
	slices.Sort(want)
	if !slices.Equal(handled, want) {
		t.Errorf("handled %q, want the 20 kept records %q", handled, want)
	}
	if n := screened.Load(); n != 40 {
		t.Errorf("screened %d records, want 40", n)
	}
}
