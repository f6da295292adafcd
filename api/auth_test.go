package api

import (
	"net/http"
	"path/filepath"
	"testing"
)

// TestAuth: with a token, mutations need it (401 without, 403 wrong, else through); reads too
// unless OpenReads; /healthz and the OpenAPI document never do.
func TestAuth(t *testing.T) {
	for _, open := range []bool{false, true} {
		c := newRulesAPI(t, filepath.Join(t.TempDir(), "rules.db"), Options{Token: "s3cret", OpenReads: open})
		cases := []struct {
			method, path, body string
			read               bool
			ok                 int
		}{
			{"POST", RulesPath, orderRule, false, http.StatusCreated},
			{"GET", RulesPath, "", true, http.StatusOK},
			{"GET", RulesPath + "/big-orders", "", true, http.StatusOK},
			{"GET", RulesPath + "/big-orders/versions", "", true, http.StatusOK},
			{"POST", RulesPath + "/test", `{"rule":` + orderRule + `,"eventMessage":{"eventType":"x"}}`, true, http.StatusOK},
			{"PUT", RulesPath + "/big-orders", orderRule, false, http.StatusOK},
			{"POST", RulesPath + "/big-orders/disable", "", false, http.StatusOK},
			{"POST", RulesPath + "/big-orders/enable", "", false, http.StatusOK},
			{"DELETE", RulesPath + "/big-orders", "", false, http.StatusNoContent},
		}
		for _, tc := range cases {
			what := tc.method + " " + tc.path
			var headers []string
			if tc.method == "PUT" {
				headers = []string{`If-Match: "1"`}
			}
			c.token = ""
			if tc.read && open {
				// Reads are open: no token needed. (Checked before the mutations below change state.)
				if a := c.do(tc.method, tc.path, tc.body, headers...); a.status == 401 || a.status == 403 {
					t.Errorf("open reads: %s without token = %d", what, a.status)
				}
			} else {
				c.do(tc.method, tc.path, tc.body, headers...).want(t, what+" without token", http.StatusUnauthorized)
				c.do(tc.method, tc.path, tc.body, append(headers, "Authorization: Basic s3cret")...).want(t, what+" not bearer", http.StatusUnauthorized)
				c.token = "wrong"
				c.do(tc.method, tc.path, tc.body, headers...).want(t, what+" wrong token", http.StatusForbidden)
			}
			c.token = "s3cret"
			c.do(tc.method, tc.path, tc.body, headers...).want(t, what+" right token", tc.ok)
		}
		c.token = ""
		c.do("GET", "/healthz", "").want(t, "healthz", http.StatusOK)
		c.do("GET", OpenAPIPath, "").want(t, "openapi", http.StatusOK)
	}
}
