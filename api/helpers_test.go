package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/evtrigger/evtrigger/rules/store/storetest"
)

// apiClient calls a test server and decodes the JSON answers.
type apiClient struct {
	t     *testing.T
	url   string
	token string
}

// newRulesAPI serves the API on a new store at dsn.
func newRulesAPI(t *testing.T, dsn string, opts Options) *apiClient {
	opts.Store = storetest.Open(t, dsn)
	srv := httptest.NewServer(NewHandler(opts))
	t.Cleanup(srv.Close)
	return &apiClient{t: t, url: srv.URL}
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends body (JSON text, "" for none) with extra headers given as "Name: value".
func (c *apiClient) do(method, path, body string, headers ...string) answer {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

// want fails the test unless the answer has the status and, for each "key=value", that the
// body's key (dotted for nested objects) formats as value.
func (a answer) want(t *testing.T, what string, status int, kv ...string) {
	t.Helper()
	if a.status != status {
		t.Errorf("%s: status %d, want %d; body %s", what, a.status, status, a.raw)
		return
	}
	for _, p := range kv {
		k, v, _ := strings.Cut(p, "=")
		if got := a.get(k); got != v {
			t.Errorf("%s: %s = %q, want %q; body %s", what, k, got, v, a.raw)
		}
	}
}

// get formats the value at a dotted path of the body.
func (a answer) get(path string) string {
	var cur any = a.body
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "<missing>"
		}
		cur = m[k]
	}
	switch x := cur.(type) {
	case nil:
		return "<missing>"
	case string:
		return x
	}
	data, _ := json.Marshal(cur)
	return string(data)
}
