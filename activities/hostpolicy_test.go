package activities

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHostPolicyCheckHost(t *testing.T) {
	tests := []struct {
		allow []string
		host  string
		ok    bool
	}{
		{nil, "api.example.com", true},
		{nil, "127.0.0.1", true},
		{nil, "169.254.169.254", false},
		{nil, "::ffff:169.254.169.254", false},
		{nil, "fe80::1", false},
		{nil, "fe80::1%eth0", false},
		{nil, "[fd00:ec2::254]", false},
		{[]string{"api.example.com"}, "api.example.com", true},
		{[]string{"api.example.com"}, "API.Example.COM.", true},
		{[]string{"api.example.com"}, "x.api.example.com", false},
		{[]string{"api.example.com"}, "example.com", false},
		{[]string{"api.example.com"}, "127.0.0.1", false},
		{[]string{"*.example.com"}, "a.example.com", true},
		{[]string{"*.example.com"}, "a.b.example.com", true},
		{[]string{"*.example.com"}, "example.com", false},
		{[]string{"*.example.com"}, "badexample.com", false},
		{[]string{"10.0.0.0/8"}, "10.1.2.3", true},
		{[]string{"10.0.0.0/8"}, "11.0.0.1", false},
		{[]string{"10.0.0.0/8"}, "internal.example.com", false},
		{[]string{"::1/128"}, "::1", true},
		{[]string{"::1/128"}, "[::1]", true},
		{[]string{"*.example.com"}, "169.254.169.254", false},
		{[]string{"169.254.169.254"}, "169.254.169.254", true},
		{[]string{"169.254.0.0/16"}, "169.254.1.1", true},
		{[]string{"fe80::/10"}, "fe80::1%eth0", true},
	}
	for _, tt := range tests {
		p, err := NewHostPolicy(tt.allow)
		if err != nil {
			t.Fatalf("NewHostPolicy(%q): %v", tt.allow, err)
		}
		err = p.CheckHost(tt.host)
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("allow %q: CheckHost(%q) = %v, want allowed %v", tt.allow, tt.host, err, tt.ok)
		}
	}
}

func TestHostPolicyDialedAddress(t *testing.T) {
	tests := []struct {
		allow   []string
		address string
		ok      bool
	}{
		{nil, "93.184.216.34:443", true},
		{nil, "169.254.169.254:80", false},
		{nil, "[fe80::1%eth0]:80", false},
		{[]string{"*.example.com"}, "10.0.0.1:80", true}, // an allowed name may resolve anywhere...
		{[]string{"*.example.com"}, "169.254.169.254:80", false},
		{[]string{"*.example.com"}, "[::ffff:169.254.169.254]:80", false}, // ...but not there
		{[]string{"*.example.com"}, "[fd00:ec2::254]:80", false},
		{[]string{"*.example.com", "169.254.169.254/32"}, "169.254.169.254:80", true},
	}
	for _, tt := range tests {
		p, err := NewHostPolicy(tt.allow)
		if err != nil {
			t.Fatalf("NewHostPolicy(%q): %v", tt.allow, err)
		}
		err = p.checkDial("tcp", tt.address, nil)
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("allow %q: dial %s = %v, want allowed %v", tt.allow, tt.address, err, tt.ok)
		}
	}
}

func TestHostPolicyZeroAndNilAllowAllButDenied(t *testing.T) {
	for _, p := range []*HostPolicy{nil, {}} {
		if err := p.CheckHost("api.example.com"); err != nil {
			t.Errorf("%v: CheckHost: %v", p, err)
		}
		if err := p.CheckHost("169.254.169.254"); !errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("%v: CheckHost(metadata) = %v, want refused", p, err)
		}
	}
}

func TestNewHostPolicyRejectsBadEntries(t *testing.T) {
	for _, entry := range []string{"", "*", "*.", "api.example.com:443", "10.0.0.0/33", "a..b",
		"http://example.com", "ex ample.com", "*.*.example.com", "a*.example.com"} {
		if _, err := NewHostPolicy([]string{entry}); err == nil {
			t.Errorf("NewHostPolicy(%q) succeeded, want an error", entry)
		}
	}
	if _, err := New(Options{HTTPAllow: []string{"10.0.0.0/33"}}); err == nil {
		t.Error("New accepted a bad allow-list entry")
	}
}

func TestHostPolicyRefusesAtDialTime(t *testing.T) {
	var hits atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	addr := srv.Listener.Addr().String()
	_, port, _ := strings.Cut(addr, ":")

	p, err := NewHostPolicy([]string{"example.invalid"})
	if err != nil {
		t.Fatal(err)
	}
	if conn, err := p.DialContext(context.Background(), "tcp", addr); !errors.Is(err, ErrHostNotAllowed) {
		if conn != nil {
			conn.Close()
		}
		t.Errorf("DialContext(%s) = %v, want refused", addr, err)
	}

	// A name the list allows is dialed; the same address as an IP literal is not.
	p, err = NewHostPolicy([]string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := p.DialContext(context.Background(), "tcp4", "localhost:"+port)
	if err != nil {
		t.Fatalf("DialContext(localhost): %v", err)
	}
	conn.Close()
	if _, err := p.DialContext(context.Background(), "tcp", addr); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("DialContext(%s) = %v, want refused", addr, err)
	}

	// End to end: an activity whose allow-list names only example.invalid never reaches the server.
	a := newActivities(t, Options{HTTPAllow: []string{"example.invalid"}})
	_, err = execute(t, a, a.RunHTTP, httpRequest("POST", srv.URL))
	wantAppError(t, err, ErrTypeHostNotAllowed, false)
	a.HTTPClient.CheckRedirect = nil // the client alone, without RunHTTP's URL check, refuses too
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if resp, err := a.HTTPClient.Do(req); !errors.Is(err, ErrHostNotAllowed) {
		if resp != nil {
			resp.Body.Close()
		}
		t.Errorf("client.Do(%s) = %v, want refused", srv.URL, err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

func TestRunHTTPRefusesMetadataWithEmptyAllowList(t *testing.T) {
	a := newActivities(t, Options{})
	_, err := execute(t, a, a.RunHTTP, httpRequest("GET", "http://169.254.169.254/latest/meta-data/"))
	appErr, _ := wantAppError(t, err, ErrTypeHostNotAllowed, false)
	if !strings.Contains(appErr.Message(), "169.254.169.254") {
		t.Errorf("message %q should name the host", appErr.Message())
	}
}
