package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/evtrigger/evtrigger/ingress/httpin"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

func TestAPITokenGuardsEventIngestion(t *testing.T) {
	st := testenv.NewStack(t, temporal, httpRule("http://127.0.0.1:1"), testenv.Options{Token: "s3cret"})
	cases := []struct {
		name, auth string
		want       int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusForbidden},
		{"not bearer", "Basic s3cret", http.StatusUnauthorized},
		{"right token", "Bearer s3cret", http.StatusOK}, // a filtered event: no rule for its type
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, st.API.URL+httpin.Path,
				strings.NewReader(`{"messageId":"msg-auth-1","eventType":"user.created"}`))
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
}
