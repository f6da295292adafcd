package activities

import (
	"net/http"
	"time"
)

// newHTTPClient builds the client HTTP tasks use: connections kept alive for reuse, every dial
// checked by hosts, at most maxRedirects redirects followed (each target checked by hosts), and
// no proxy, so the policy applies to the real destination. There is no client-wide timeout; each
// request is bounded by its context.
func newHTTPClient(hosts *HostPolicy, maxRedirects int) *http.Client {
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           hosts.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return http.ErrUseLastResponse // the 3xx becomes the task's response
			}
			return hosts.CheckHost(req.URL.Hostname())
		},
	}
}
