package dmp

import (
	"context"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/txt"

	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
)

// reply is the content of one authoritative answer before it is written.
type reply struct {
	rcode  int
	answer []dns.RR
	ns     []dns.RR
}

// result names the reply for the queries metric.
func (a reply) result() string {
	switch {
	case a.rcode == dns.RcodeNameError:
		return resultNXDomain
	case len(a.answer) == 0:
		return resultNoData
	}
	return resultAnswer
}

// answer builds the reply to a query for a name inside zone.
func (d *Dmp) answer(ctx context.Context, zone string, state request.Request) (reply, error) {
	qname, qtype := state.Name(), state.QType()
	now := d.Now()
	// owner is the zone apex spelt as in the question (DECISIONS N2).
	owner := state.QName()
	apexOwner := owner[len(owner)-len(zone):]

	if qname == zone {
		if rrs := d.Apex.records(qtype, owner, zone, d.TTL, now); len(rrs) > 0 {
			return reply{answer: rrs}, nil
		}
		if qtype != dns.TypeTXT && qtype != dns.TypeANY {
			return d.negative(dns.RcodeSuccess, apexOwner, zone, now), nil
		}
	}

	vals, exists, err := d.lookup(ctx, zone, qname, now)
	if err != nil {
		return reply{}, err
	}
	if len(vals) > 0 && (qtype == dns.TypeTXT || qtype == dns.TypeANY) {
		return reply{answer: txtRRs(owner, vals, d.TTL, now)}, nil
	}
	if qtype == dns.TypeANY && qname == zone {
		return reply{answer: []dns.RR{d.Apex.soa(apexOwner, zone, d.TTL, now)}}, nil
	}
	if len(vals) > 0 || exists || qname == zone {
		return d.negative(dns.RcodeSuccess, apexOwner, zone, now), nil
	}
	return d.negative(dns.RcodeNameError, apexOwner, zone, now), nil
}

// lookup reads owner's live values from the store, timing the call. It
// alone reports to the store's health: an apex answer never reaches the
// store, so it says nothing about whether the store is up.
func (d *Dmp) lookup(ctx context.Context, zone, owner string,
	now time.Time) ([]store.Value, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()

	start := time.Now()
	vals, exists, err := d.Store.Lookup(ctx, zone, owner, now)
	observeStore("lookup", start)
	d.health.record(err)
	return vals, exists, err
}

// negative is an NXDOMAIN or NODATA reply with the zone's SOA in the
// authority section, its TTL the negative-caching TTL (RFC 2308 §3).
func (d *Dmp) negative(rcode int, apexOwner, zone string, now time.Time) reply {
	soa := d.Apex.soa(apexOwner, zone, d.TTL, now)
	soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return reply{rcode: rcode, ns: []dns.RR{soa}}
}

// txtRRs turns live values into one TXT RRset at owner. Each value is
// split into character-strings of at most 255 bytes (DECISIONS W7). The
// RRset shares one TTL: the answer TTL, or the remaining lifetime of its
// shortest-lived value if that is shorter (DECISIONS N12).
func txtRRs(owner string, vals []store.Value, maxTTL time.Duration, now time.Time) []dns.RR {
	ttl := maxTTL
	for _, v := range vals {
		ttl = min(ttl, v.Expires.Sub(now))
	}
	hdr := dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: seconds(ttl)}

	rrs := make([]dns.RR, 0, len(vals))
	for _, v := range vals {
		rrs = append(rrs, &dns.TXT{Hdr: hdr, Txt: txt.Presentation(v.Data)})
	}
	return rrs
}

// seconds converts d to a TTL, rounding down so that a cache never holds a
// record past its expiry; a negative duration becomes 0.
func seconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	s := d / time.Second
	if s > 1<<31-1 {
		return 1<<31 - 1 // RFC 2181 §8: TTLs above 2^31-1 are read as 0
	}
	return uint32(s) // #nosec G115 -- bounded to [0, 2^31-1] above.
}
