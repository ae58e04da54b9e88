package dmp

import (
	"github.com/miekg/dns"
)

// storeUnavailable is the extended DNS error text of a SERVFAIL caused by
// the store (Redis unreachable, the embedded file damaged).
const storeUnavailable = "store unavailable"

// manyOPT reports whether r carries more than one OPT record, which RFC
// 6891 §6.1.1 answers with FORMERR. CoreDNS v1.15 and miekg/dns use the
// first one and let the request through.
func manyOPT(r *dns.Msg) bool {
	n := 0
	for _, rr := range r.Extra {
		if rr.Header().Rrtype == dns.TypeOPT {
			n++
		}
	}
	return n > 1
}

// writeFormErr answers r with FORMERR. It adds no OPT record itself;
// CoreDNS's scrub writer adds one from the request's first.
func writeFormErr(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetRcode(r, dns.RcodeFormatError)
	w.WriteMsg(m)
}

// writeServfail answers r with servfailMsg.
func writeServfail(w dns.ResponseWriter, r *dns.Msg) { w.WriteMsg(servfailMsg(r)) }

// servfailMsg is the SERVFAIL reply to r, with an extended DNS error
// (RFC 8914 code 0, Other) saying the store is unavailable when the
// request carried EDNS.
func servfailMsg(r *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(r, dns.RcodeServerFailure)
	if r.IsEdns0() != nil {
		m.SetEdns0(dns.DefaultMsgSize, false)
		opt := m.IsEdns0()
		opt.Option = append(opt.Option, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeOther,
			ExtraText: storeUnavailable})
	}
	return m
}
