package update

import (
	"sort"
	"strings"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// parsePrereqs reads the prerequisite section (RFC 2136 §2.4, §3.2). TXT
// RRsets and names go to the store; the synthesized apex SOA and NS are
// decided here, as is any other type, which the node never stores.
func parsePrereqs(rrs []dns.RR, zone string, apex map[uint16][]string) ([]store.Prereq,
	*Refusal) {
	pc := prereqCollector{zone: zone, apex: apex, equals: map[string][]string{},
		apexEquals: map[uint16][]string{}}
	for _, rr := range rrs {
		if r := pc.add(rr); r != nil {
			return nil, r
		}
	}

	if r := apexRRsetsEqual(pc.apexEquals, apex, zone); r != nil {
		return nil, r
	}
	out := pc.out
	for _, owner := range pc.order {
		vals := dedupe(pc.equals[owner])
		out = append(out, store.Prereq{Kind: store.RRsetEquals, Owner: owner, Values: vals})
	}
	return out, nil
}

// prereqCollector gathers the prerequisites of one UPDATE: existence
// checks as they come, and the value-dependent RRsets (RFC 2136 §2.4.2),
// which are whole only after the last record.
type prereqCollector struct {
	zone       string
	apex       map[uint16][]string
	out        []store.Prereq
	equals     map[string][]string // owner -> values, class IN TXT
	order      []string            // owners of equals, first seen first
	apexEquals map[uint16][]string // type -> rdata, class IN at the apex
}

// add takes one prerequisite record.
func (pc *prereqCollector) add(rr dns.RR) *Refusal {
	h := rr.Header()
	owner, r := ownerIn(rr, pc.zone)
	if r != nil {
		return r
	}
	if h.Ttl != 0 {
		return refuse(dns.RcodeFormatError, "prerequisite TTL must be 0")
	}
	if h.Class == dns.ClassINET && owner == pc.zone && h.Rrtype != dns.TypeTXT {
		pc.apexEquals[h.Rrtype] = append(pc.apexEquals[h.Rrtype], rdata(rr))
		return nil
	}

	switch h.Class {
	case dns.ClassANY, dns.ClassNONE:
		p, r := existence(rr, owner, pc.zone, pc.apex)
		if r != nil {
			return r
		}
		if p != nil {
			pc.out = append(pc.out, *p)
		}
	case dns.ClassINET:
		v, r := valueEquals(rr, owner)
		if r != nil {
			return r
		}
		if _, seen := pc.equals[owner]; !seen {
			pc.order = append(pc.order, owner)
		}
		pc.equals[owner] = append(pc.equals[owner], v)
	default:
		return refuse(dns.RcodeFormatError, "prerequisite class %d", h.Class)
	}
	return nil
}

// existence handles the class ANY and NONE prerequisites. It returns nil
// with no refusal when the prerequisite holds without asking the store.
func existence(rr dns.RR, owner, zone string, apex map[uint16][]string) (*store.Prereq,
	*Refusal) {
	h := rr.Header()
	if h.Rdlength != 0 {
		return nil, refuse(dns.RcodeFormatError, "prerequisite carries data")
	}
	present := h.Class == dns.ClassANY
	atApex := owner == zone

	switch {
	case h.Rrtype == dns.TypeANY && atApex:
		if present {
			return nil, nil
		}
		return nil, refuse(dns.RcodeYXDomain, "the zone apex is in use")
	case h.Rrtype == dns.TypeANY:
		kind := store.NameNotInUse
		if present {
			kind = store.NameInUse
		}
		return &store.Prereq{Kind: kind, Owner: owner}, nil
	case h.Rrtype == dns.TypeTXT:
		kind := store.RRsetAbsent
		if present {
			kind = store.RRsetExists
		}
		return &store.Prereq{Kind: kind, Owner: owner}, nil
	}

	exists := atApex && (h.Rrtype == dns.TypeSOA || len(apex[h.Rrtype]) > 0)
	switch {
	case present && !exists:
		return nil, refuse(dns.RcodeNXRrset, "no %s RRset at %s", dns.TypeToString[h.Rrtype], owner)
	case !present && exists:
		return nil, refuse(dns.RcodeYXRrset, "%s RRset exists at %s",
			dns.TypeToString[h.Rrtype], owner)
	}
	return nil, nil
}

// valueEquals handles one class IN prerequisite record (RRset equals) at
// a name other than the apex. Only TXT RRsets are stored there.
func valueEquals(rr dns.RR, owner string) (string, *Refusal) {
	txt, ok := rr.(*dns.TXT)
	if !ok {
		return "", refuse(dns.RcodeNXRrset, "no matching %s RRset at %s",
			dns.TypeToString[rr.Header().Rrtype], owner)
	}
	v, err := txtValue(txt)
	if err != nil {
		return "", refuse(dns.RcodeFormatError, "%v", err)
	}
	return v, nil
}

func dedupe(vals []string) []string {
	sort.Strings(vals)
	out := vals[:0]
	for i, v := range vals {
		if i == 0 || v != vals[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// apexRRsetsEqual decides the RRset-equals prerequisites on the apex's
// synthesized RRsets (RFC 2136 §3.2.3): each must list exactly the
// configured records. The SOA's serial moves every second, so an SOA
// RRset never equals a prerequisite.
func apexRRsetsEqual(asked, apex map[uint16][]string, zone string) *Refusal {
	for t, vals := range asked {
		if t == dns.TypeSOA || !sameSet(vals, apex[t]) {
			return refuse(dns.RcodeNXRrset, "no matching %s RRset at %s",
				dns.TypeToString[t], zone)
		}
	}
	return nil
}

// rdata is the presentation form of rr's data, lower-cased so names
// compare case-insensitively.
func rdata(rr dns.RR) string {
	return strings.ToLower(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

// sameSet reports whether a and b hold the same strings, ignoring order
// and repeats (an RRset is a set).
func sameSet(a, b []string) bool {
	in := map[string]bool{}
	for _, v := range b {
		in[v] = true
	}
	seen := map[string]bool{}
	for _, v := range a {
		if !in[v] {
			return false
		}
		seen[v] = true
	}
	return len(seen) == len(in)
}
