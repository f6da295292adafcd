package activities

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrHostNotAllowed is wrapped by every refusal of a HostPolicy.
var ErrHostNotAllowed = errors.New("host not allowed")

// HostPolicy decides which hosts HTTP tasks may reach. It is built from a list of entries:
//
//   - a host name, "api.example.com", allows exactly that name;
//   - a wildcard, "*.example.com", allows every name below example.com (not example.com itself);
//   - an IP address or CIDR, "10.1.2.3", "10.0.0.0/8", "::1/128", allows those addresses.
//
// An empty list allows any host. Whatever the list, link-local addresses (169.254.0.0/16,
// fe80::/10, where cloud metadata services live) and fd00:ec2::254 are refused unless an IP or
// CIDR entry names them.
//
// The policy is enforced twice: CheckHost checks the URL's host (names against name entries, IP
// literals against IP entries), and DialContext checks again at dial time, including every
// address a name resolves to, so DNS cannot bypass the always-denied ranges. A name allowed by a
// name entry may resolve to any address outside those ranges.
//
// The zero HostPolicy allows any host except the always-denied ranges. It is safe for
// concurrent use.
type HostPolicy struct {
	names    map[string]bool
	suffixes []string // ".example.com" for "*.example.com"
	prefixes []netip.Prefix
}

// NewHostPolicy parses entries into a HostPolicy. Ports are not part of an entry.
func NewHostPolicy(entries []string) (*HostPolicy, error) {
	p := &HostPolicy{names: make(map[string]bool)}
	for _, e := range entries {
		if err := p.add(e); err != nil {
			return nil, fmt.Errorf("host allow-list entry %q: %w", e, err)
		}
	}
	return p, nil
}

func (p *HostPolicy) add(entry string) error {
	e := strings.ToLower(strings.TrimSpace(entry))
	e = strings.TrimSuffix(strings.TrimPrefix(e, "["), "]")
	if prefix, err := netip.ParsePrefix(e); err == nil {
		p.prefixes = append(p.prefixes, prefix.Masked())
		return nil
	}
	if addr, err := netip.ParseAddr(e); err == nil && addr.Zone() == "" {
		addr = addr.Unmap()
		p.prefixes = append(p.prefixes, netip.PrefixFrom(addr, addr.BitLen()))
		return nil
	}
	if strings.Contains(e, "/") {
		return errors.New("invalid CIDR")
	}
	if suffix, ok := strings.CutPrefix(e, "*."); ok {
		if !validHostName(suffix) {
			return errors.New("invalid wildcard; want *.example.com")
		}
		p.suffixes = append(p.suffixes, "."+strings.TrimSuffix(suffix, "."))
		return nil
	}
	if !validHostName(e) {
		return errors.New("not a host name, *.domain, IP address or CIDR")
	}
	p.names[strings.TrimSuffix(e, ".")] = true
	return nil
}

// validHostName reports whether s is a DNS name: dot-separated labels of letters, digits, '-'
// and '_', with an optional final dot.
func validHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// CheckHost returns nil when host (a URL's host name or IP literal, without port) may be
// reached, and an error wrapping ErrHostNotAllowed otherwise.
func (p *HostPolicy) CheckHost(host string) error {
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if addr, err := netip.ParseAddr(h); err == nil {
		if !p.ipAllowed(addr, false) {
			return addrDenied(host, addr)
		}
		return nil
	}
	if p.empty() || p.names[h] {
		return nil
	}
	for _, suffix := range p.suffixes {
		if strings.HasSuffix(h, suffix) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s", ErrHostNotAllowed, host)
}

// ipAllowed reports whether addr may be reached. An address an IP entry names is allowed; an
// always-denied one is refused; any other is allowed when the list is empty or, for an address
// a permitted name resolved to, when resolved is true.
func (p *HostPolicy) ipAllowed(addr netip.Addr, resolved bool) bool {
	addr = addr.Unmap().WithZone("")
	if p != nil {
		for _, prefix := range p.prefixes {
			if prefix.Contains(addr) {
				return true
			}
		}
	}
	if alwaysDenied(addr) {
		return false
	}
	return resolved || p.empty()
}

func (p *HostPolicy) empty() bool {
	return p == nil || len(p.names) == 0 && len(p.suffixes) == 0 && len(p.prefixes) == 0
}

// alwaysDenied reports whether addr is link-local or a cloud metadata address.
func alwaysDenied(addr netip.Addr) bool {
	return addr.IsLinkLocalUnicast() || addr == netip.MustParseAddr("fd00:ec2::254")
}

// DialContext dials address ("host:port") after checking host with CheckHost, and refuses to
// connect to any resolved address in the always-denied ranges that no IP entry allows. Use it as
// an http.Transport's DialContext; errors wrap ErrHostNotAllowed when the policy refused.
func (p *HostPolicy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if err := p.CheckHost(host); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: p.checkDial}
	return d.DialContext(ctx, network, address)
}

// checkDial is a net.Dialer Control function: it runs just before connecting to a resolved
// "ip:port" address.
func (p *HostPolicy) checkDial(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: unparsable dial address %s", ErrHostNotAllowed, address)
	}
	if !p.ipAllowed(addr, true) {
		return addrDenied(host, addr)
	}
	return nil
}

// addrDenied is the error for a refused IP address, saying why when it is always denied.
func addrDenied(host string, addr netip.Addr) error {
	if alwaysDenied(addr.Unmap().WithZone("")) {
		return fmt.Errorf("%w: %s (link-local or metadata address; allow it with an IP entry)",
			ErrHostNotAllowed, host)
	}
	return fmt.Errorf("%w: %s", ErrHostNotAllowed, host)
}
