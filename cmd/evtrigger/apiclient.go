package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/evtrigger/evtrigger/internal/httpjson"
)

// serverFlags say which evtrigger API the rules commands talk to.
type serverFlags struct {
	server, token string
}

func (s *serverFlags) register(fs *flag.FlagSet) {
	stringFlag(fs, &s.server, "server", "http://127.0.0.1:8080", "evtrigger API base URL")
	fs.StringVar(&s.token, "token", os.Getenv("EVTRIGGER_API_TOKEN"), "API bearer token ($EVTRIGGER_API_TOKEN)")
}

func (s *serverFlags) client() *apiClient {
	return &apiClient{base: strings.TrimSuffix(s.server, "/"), token: s.token,
		http: &http.Client{Timeout: 30 * time.Second}}
}

// apiClient calls the evtrigger API.
type apiClient struct {
	base, token string
	http        *http.Client
}

// apiError is an error answer of the API, printed so a person can act on it.
type apiError struct {
	status int
	body   httpjson.Error
}

func (e *apiError) Error() string {
	msg := e.body.Error
	if msg == "" {
		msg = http.StatusText(e.status)
	}
	switch e.status {
	case http.StatusUnauthorized:
		return msg + ": pass --token or set EVTRIGGER_API_TOKEN"
	case http.StatusForbidden:
		return msg + ": check --token / EVTRIGGER_API_TOKEN"
	}
	return msg
}

// do sends in (nil for no body) as JSON, with If-Match when ifMatch > 0, and decodes a 2xx
// answer into out (unless nil). Any other status is an *apiError.
func (c *apiClient) do(ctx context.Context, method, path string, in any, ifMatch int64, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if ifMatch > 0 {
		req.Header.Set("If-Match", strconv.Quote(strconv.FormatInt(ifMatch, 10)))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("evtrigger API at %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		ae := &apiError{status: resp.StatusCode}
		if json.Unmarshal(data, &ae.body) != nil {
			ae.body.Error = strings.TrimSpace(string(data))
		}
		return ae
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: answer is not what was expected: %w", method, path, err)
	}
	return nil
}
