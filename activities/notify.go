package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/workflows"
)

// Notify posts n to NotifyURL as Slack-compatible JSON ({"text": ...}), through the same HTTP
// client and host policy as HTTP tasks. A 5xx or network error is retryable; another non-2xx is
// not.
func (a *Activities) Notify(ctx context.Context, n workflows.Notification) error {
	if a.NotifyURL == "" {
		return temporal.NewNonRetryableApplicationError("no notification webhook configured", "NoNotifyURL", nil)
	}
	body, err := json.Marshal(map[string]string{"text": n.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.NotifyURL, bytes.NewReader(body))
	if err != nil {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("notification webhook: %v", err), "NotifyError", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.HTTPClient.Do(req)
	if err != nil {
		return temporal.NewApplicationError(fmt.Sprintf("notification webhook: %v", err), "NotifyError")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 500:
		return temporal.NewApplicationError("notification webhook answered "+resp.Status, "NotifyError")
	}
	return temporal.NewNonRetryableApplicationError("notification webhook answered "+resp.Status, "NotifyError", nil)
}
