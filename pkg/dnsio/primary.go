package dnsio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// DefaultUpdatePort is the port UPDATEs go to on a zone's primary.
const DefaultUpdatePort = 53

// ErrNoPrimary is wrapped when no address of a zone's primary is found.
var ErrNoPrimary = errors.New("dnsio: no primary server found")

// Primary finds where RFC 2136 UPDATEs for the zone holding name go, as
// RFC 2136 §4 describes: the SOA's MNAME, else the zone's NS targets, each
// resolved to its A and AAAA addresses through the Reader's servers. It
// returns the zone apex and the servers as address:port, the MNAME's
// first. port 0 means DefaultUpdatePort.
func (r *Reader) Primary(ctx context.Context, name string, port int) (string, []string, error) {
	if port == 0 {
		port = DefaultUpdatePort
	}
	zone, mname, err := r.soa(ctx, name)
	if err != nil {
		return "", nil, err
	}

	hosts := []string{mname}
	if addrs := r.addresses(ctx, mname); len(addrs) > 0 {
		return zone, withPort(addrs, port), nil
	}
	targets, err := r.nsTargets(ctx, zone)
	var addrs []string
	for _, h := range targets {
		hosts = append(hosts, h)
		addrs = append(addrs, r.addresses(ctx, h)...)
	}
	if len(addrs) == 0 {
		return zone, nil, fmt.Errorf("%w for %s: no address for %s%s", ErrNoPrimary, zone,
			strings.Join(hosts, ", "), errSuffix(err))
	}
	return zone, withPort(addrs, port), nil
}

// soa returns the zone apex and MNAME of the SOA that covers name, taken
// from the answer (name is the apex) or the authority section (a reply
// below the apex, NXDOMAIN or NODATA).
func (r *Reader) soa(ctx context.Context, name string) (string, string, error) {
	resp, err := r.query(ctx, name, dns.TypeSOA)
	if err != nil {
		return "", "", fmt.Errorf("%w for %s: %w", ErrNoPrimary, name, err)
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return "", "", fmt.Errorf("%w for %s: SOA query: %s%s", ErrNoPrimary, name,
			dns.RcodeToString[resp.Rcode], edeSuffix(resp))
	}
	for _, rr := range append(append([]dns.RR(nil), resp.Answer...), resp.Ns...) {
		if s, ok := rr.(*dns.SOA); ok && dns.IsSubDomain(s.Hdr.Name, dns.Fqdn(name)) {
			return strings.TrimSuffix(s.Hdr.Name, "."), s.Ns, nil
		}
	}
	return "", "", fmt.Errorf("%w for %s: no SOA in the reply", ErrNoPrimary, name)
}

// nsTargets returns the NS targets of zone.
func (r *Reader) nsTargets(ctx context.Context, zone string) ([]string, error) {
	resp, err := r.query(ctx, zone, dns.TypeNS)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range resp.Answer {
		if ns, ok := rr.(*dns.NS); ok {
			out = append(out, ns.Ns)
		}
	}
	return out, nil
}

// addresses returns the IPv4 then IPv6 addresses of host; failed reads
// count as none.
func (r *Reader) addresses(ctx context.Context, host string) []string {
	var out []string
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		resp, err := r.query(ctx, host, qt)
		if err != nil || resp.Rcode != dns.RcodeSuccess {
			continue
		}
		for _, rr := range resp.Answer {
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, a.A.String())
			case *dns.AAAA:
				out = append(out, a.AAAA.String())
			}
		}
	}
	return out
}

func withPort(addrs []string, port int) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = net.JoinHostPort(a, strconv.Itoa(port))
	}
	return out
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// Updaters applies changes through the first of its Updaters that
// replies, as RFC 2136 §4 has a requestor try a zone's servers in turn.
// A refusal is final; only a missing reply moves on to the next.
type Updaters []*Updater

// Apply implements the client's Writer.
func (us Updaters) Apply(ctx context.Context, changes ...Change) error {
	err := fmt.Errorf("%w: no server to send the update to", ErrUnreachable)
	for _, u := range us {
		if err = u.Apply(ctx, changes...); !errors.Is(err, ErrUnreachable) {
			return err
		}
	}
	return err
}

// String lists the servers, for messages.
func (us Updaters) String() string {
	s := make([]string, len(us))
	for i, u := range us {
		s[i] = u.Server
	}
	return strings.Join(s, ", ")
}
