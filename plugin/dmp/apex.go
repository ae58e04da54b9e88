package dmp

import (
	"net/netip"
	"time"

	"github.com/coredns/coredns/plugin/pkg/dnsutil"
	"github.com/miekg/dns"
)

// Apex holds the synthesized records at the apex of every served zone.
// Names are fully qualified; an empty MName or RName is derived from the
// zone when the SOA is built.
type Apex struct {
	NS    []string     // NS targets; none means NS queries get NODATA
	MName string       // SOA MNAME; default the first NS, else the apex
	RName string       // SOA RNAME; default hostmaster.<zone>
	Addrs []netip.Addr // apex A and AAAA addresses; may be empty

	// SOA timers in seconds (RFC 1035 §3.3.13). Minimum is the negative
	// caching TTL (RFC 2308 §4); 0 means the answer TTL.
	Refresh, Retry, Expire, Minimum uint32
}

// records returns the apex RRset of type qtype at owner, or nil.
func (a *Apex) records(qtype uint16, owner, zone string, ttl time.Duration,
	now time.Time) []dns.RR {
	hdr := dns.RR_Header{Name: owner, Rrtype: qtype, Class: dns.ClassINET, Ttl: seconds(ttl)}
	var rrs []dns.RR
	switch qtype {
	case dns.TypeSOA:
		rrs = append(rrs, a.soa(owner, zone, ttl, now))
	case dns.TypeNS:
		for _, ns := range a.NS {
			rrs = append(rrs, &dns.NS{Hdr: hdr, Ns: ns})
		}
	case dns.TypeA:
		for _, ip := range a.Addrs {
			if ip.Is4() {
				rrs = append(rrs, &dns.A{Hdr: hdr, A: ip.AsSlice()})
			}
		}
	case dns.TypeAAAA:
		for _, ip := range a.Addrs {
			if ip.Is6() {
				rrs = append(rrs, &dns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()})
			}
		}
	}
	return rrs
}

// soa builds the zone's SOA at owner. The serial is the current Unix time,
// as the reference node does: the zone has no versions and no transfers.
func (a *Apex) soa(owner, zone string, ttl time.Duration, now time.Time) *dns.SOA {
	mname, rname, minimum := a.MName, a.RName, a.Minimum
	if mname == "" && len(a.NS) > 0 {
		mname = a.NS[0]
	}
	if mname == "" {
		mname = zone
	}
	if rname == "" {
		rname = dnsutil.Join("hostmaster", zone)
	}
	if minimum == 0 {
		minimum = seconds(ttl)
	}

	hdr := dns.RR_Header{Name: owner, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: seconds(ttl)}
	return &dns.SOA{
		Hdr:     hdr,
		Ns:      mname,
		Mbox:    rname,
		Serial:  uint32(now.Unix()), // #nosec G115 -- RFC 1982 serial arithmetic wraps.
		Refresh: a.Refresh,
		Retry:   a.Retry,
		Expire:  a.Expire,
		Minttl:  minimum,
	}
}
