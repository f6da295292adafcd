package activities

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/evtrigger/evtrigger/workflows"
)

func TestNotifyPostsSlackJSON(t *testing.T) {
	var got map[string]string
	status := http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&got) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(status)
	}))
	defer hook.Close()
	a := newActivities(t, Options{NotifyURL: hook.URL})
	notify := func() error {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		_, err := env.ExecuteActivity(a.Notify, workflows.Notification{EventID: "e1", Text: "task charge failed"})
		return err
	}
	if err := notify(); err != nil || got["text"] != "task charge failed" {
		t.Fatalf("notify: %v, hook got %v", err, got)
	}
	for _, tc := range []struct {
		status    int
		retryable bool
	}{{http.StatusBadGateway, true}, {http.StatusForbidden, false}} {
		status = tc.status
		var appErr *temporal.ApplicationError
		if err := notify(); !errors.As(err, &appErr) || appErr.Type() != "NotifyError" || appErr.NonRetryable() == tc.retryable {
			t.Errorf("hook answering %d: %v, want a NotifyError retryable=%v", tc.status, err, tc.retryable)
		}
	}
}
