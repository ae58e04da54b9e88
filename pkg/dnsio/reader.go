package dnsio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"

	"github.com/dnsmesh/dmp/pkg/txt"
)

// DefaultTimeout bounds one DNS exchange.
const DefaultTimeout = 5 * time.Second

// udpSize is the EDNS0 buffer size advertised for replies (the DNS flag
// day 2020 value).
const udpSize = 1232

// maxUDPRequest is the largest request sent over UDP; bigger ones go over
// TCP. Servers built on miekg/dns, CoreDNS among them, read UDP requests
// into a 512-byte buffer unless configured otherwise (RFC 1035 §4.2.1).
// tsigMACRoom covers the MAC that signing adds after Len is measured.
const (
	maxUDPRequest = dns.MinMsgSize
	tsigMACRoom   = 64
)

// resolvConf is where the system resolvers are read from.
var resolvConf = "/etc/resolv.conf"

// ErrQuery is wrapped by every failed read.
var ErrQuery = errors.New("dnsio: query failed")

// Reader reads TXT RRsets. With Servers empty it asks the resolvers of
// /etc/resolv.conf; otherwise it asks Servers (host:port) in order
// (DECISIONS C12). As a stub resolver does, it moves to the next server
// on a network error and on SERVFAIL, NOTIMP or REFUSED, so a list of
// nodes that each serve their own zones reads all of those zones.
type Reader struct {
	Servers []string
	Timeout time.Duration
}

// LookupTXT returns the TXT values at name, each RR's strings joined.
// A name with no TXT (NXDOMAIN or NODATA) gives no values and no error.
func (r *Reader) LookupTXT(ctx context.Context, name string) ([]string, error) {
	resp, err := r.query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	return txtValues(name, resp)
}

// query asks the servers in turn for name and qtype and returns the first
// usable reply; when every server failed it returns the last reply that
// came (for its rcode), else the last network error.
func (r *Reader) query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	servers, err := r.servers()
	if err != nil {
		return nil, err
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	q.SetEdns0(udpSize, false)

	var last error
	var lastResp *dns.Msg
	for _, s := range servers {
		resp, err := exchange(ctx, q, s, r.timeout(), nil)
		switch {
		case err != nil:
			last = err
		case tryNext(resp.Rcode):
			lastResp = resp
		default:
			return resp, nil
		}
	}
	if lastResp != nil {
		return lastResp, nil
	}
	return nil, fmt.Errorf("%w: %s %s: %w", ErrQuery, name, dns.TypeToString[qtype], last)
}

// tryNext reports whether rcode sends a stub resolver to its next server.
func tryNext(rcode int) bool {
	return rcode == dns.RcodeServerFailure || rcode == dns.RcodeNotImplemented ||
		rcode == dns.RcodeRefused
}

// RcodeError is a read answered with a failure rcode (SERVFAIL, REFUSED,
// ...): the server was reached, unlike a timeout. It wraps ErrQuery.
type RcodeError struct {
	Name   string
	Rcode  int
	Detail string // the server's EDE text, with its separator, or ""
}

// Error implements the error interface.
func (e *RcodeError) Error() string {
	return fmt.Sprintf("%s: %s TXT: %s%s", ErrQuery, e.Name, dns.RcodeToString[e.Rcode],
		e.Detail)
}

// Unwrap makes errors.Is(err, ErrQuery) hold.
func (e *RcodeError) Unwrap() error { return ErrQuery }

// txtValues turns an answer into values, or an error for a failure rcode.
func txtValues(name string, resp *dns.Msg) ([]string, error) {
	switch resp.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, &RcodeError{Name: name, Rcode: resp.Rcode, Detail: edeSuffix(resp)}
	}
	var out []string
	for _, rr := range resp.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, txt.FromPresentation(t.Txt))
		}
	}
	return out, nil
}

func (r *Reader) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// servers returns the configured servers or the system's.
func (r *Reader) servers() ([]string, error) {
	if len(r.Servers) > 0 {
		return r.Servers, nil
	}
	cc, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrQuery, resolvConf, err)
	}
	out := make([]string, 0, len(cc.Servers))
	for _, s := range cc.Servers {
		out = append(out, net.JoinHostPort(s, cc.Port))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no resolver in %s", ErrQuery, resolvConf)
	}
	return out, nil
}

// exchange sends m to server over UDP, or TCP when m is large or the
// reply is truncated. A non-nil tsig map signs m and verifies the reply.
func exchange(ctx context.Context, m *dns.Msg, server string, timeout time.Duration,
	tsig map[string]string) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &dns.Client{Net: "udp", Timeout: timeout, UDPSize: udpSize, TsigSecret: tsig}
	if m.Len()+tsigMACRoom > maxUDPRequest {
		c.Net = "tcp"
	}
	resp, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && resp.Truncated && c.Net == "udp" {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, server)
	}
	if err != nil && resp == nil {
		return nil, err
	}
	return resp, err
}

// edeSuffix renders the Extended DNS Errors of resp (RFC 8914) as
// " (reason; reason)", or "" when there are none.
func edeSuffix(resp *dns.Msg) string {
	reasons := EDE(resp)
	if len(reasons) == 0 {
		return ""
	}
	s := " ("
	for i, r := range reasons {
		if i > 0 {
			s += "; "
		}
		s += r
	}
	return s + ")"
}

// EDE returns the Extended DNS Error texts of resp: the node's extra text
// when there is one, else the name of the info code.
func EDE(resp *dns.Msg) []string {
	opt := resp.IsEdns0()
	if opt == nil {
		return nil
	}
	var out []string
	for _, o := range opt.Option {
		e, ok := o.(*dns.EDNS0_EDE)
		if !ok {
			continue
		}
		if e.ExtraText != "" {
			out = append(out, e.ExtraText)
			continue
		}
		out = append(out, dns.ExtendedErrorCodeToString[e.InfoCode])
	}
	return out
}
