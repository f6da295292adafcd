package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestTemporalOutageAnswers503ThenRecovers stops the Temporal server: events are refused with
// 503 and nothing is started; once it is back, the same event is accepted and its task runs once.
func TestTemporalOutageAnswers503ThenRecovers(t *testing.T) {
	ctx := context.Background()
	srv, err := testenv.StartTemporal(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() }) // registered first, so it runs after the stack's cleanup
	sk := newSink(t)
	st := testenv.NewStack(t, srv, httpRule(sk.srv.URL), testenv.Options{StartTimeout: 2 * time.Second})

	if code, out := st.PostEvent(t, orderEvent("msg-outage-0", 5000)); code != http.StatusAccepted {
		t.Fatalf("before the outage: %d %v", code, out)
	}
	testenv.Eventually(t, 30*time.Second, "task of msg-outage-0 ran", func() bool {
		return sk.count("msg-outage-0/notify-inventory") == 1
	})

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	code, out := st.PostEvent(t, orderEvent("msg-outage-1", 5000))
	if code != http.StatusServiceUnavailable {
		t.Fatalf("during the outage: %d %v, want 503", code, out)
	}

	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, "msg-outage-1 accepted after the restart", func() bool {
		code, _ := st.PostEvent(t, orderEvent("msg-outage-1", 5000))
		return code == http.StatusAccepted
	})
	testenv.Eventually(t, 60*time.Second, "task of msg-outage-1 ran", func() bool {
		return sk.count("msg-outage-1/notify-inventory") == 1
	})
	if n := sk.count("msg-outage-0/notify-inventory"); n != 1 {
		t.Fatalf("msg-outage-0 ran %d times, want 1", n)
	}
}
