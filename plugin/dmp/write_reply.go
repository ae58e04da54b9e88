package dmp

import (
	"time"

	"github.com/dnsmesh/dmp/internal/tsigauth"

	"github.com/coredns/coredns/plugin"
	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Values of the result label of updatesTotal.
const (
	updOK       = "ok"       // applied
	updRefused  = "refused"  // refused before the store: scope, validation, caps, rate
	updFormErr  = "formerr"  // malformed UPDATE
	updNotZone  = "notzone"  // a name outside the zone, or a zone not served
	updNotAuth  = "notauth"  // TSIG failed: BADKEY, BADSIG or BADTIME
	updPrereq   = "prereq"   // a prerequisite failed
	updServfail = "servfail" // the store failed
)

var updatesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Namespace: plugin.Namespace,
	Subsystem: "dmp",
	Name:      "updates_total",
	Help:      "Counter of UPDATE messages answered by dmp, by result.",
}, []string{"result"})

func countUpdate(result string) { updatesTotal.WithLabelValues(result).Inc() }

// outcome is the answer to one UPDATE: its rcode, the extended DNS error
// text for a refusal, and the metric label.
type outcome struct {
	rcode  int
	text   string
	result string
}

func refusal(rcode int, text string) outcome {
	result := updRefused
	switch rcode {
	case dns.RcodeFormatError:
		result = updFormErr
	case dns.RcodeNotZone:
		result = updNotZone
	case dns.RcodeNotAuth:
		result = updNotAuth
	case dns.RcodeNXRrset, dns.RcodeYXRrset, dns.RcodeNameError, dns.RcodeYXDomain:
		result = updPrereq
	}
	return outcome{rcode: rcode, text: text, result: result}
}

// writeUpdateReply answers r with o. The extended DNS error goes in only
// when the request carried EDNS (RFC 8914, RFC 6891 §7). A signed request
// gets a signed reply packed here, since the server's own signing knows
// only static keys (N5b); writeSigned still shows its rcode to log and
// prometheus.
func (d *Dmp) writeUpdateReply(w dns.ResponseWriter, r *dns.Msg, s *tsigauth.Signed,
	o outcome, now time.Time) {
	m := new(dns.Msg)
	m.SetRcode(r, o.rcode)
	if opt := r.IsEdns0(); opt != nil {
		m.SetEdns0(dns.DefaultMsgSize, false)
		if o.text != "" {
			edns := m.IsEdns0()
			edns.Option = append(edns.Option,
				&dns.EDNS0_EDE{InfoCode: edeCode(o.rcode), ExtraText: o.text})
		}
	}

	if s == nil {
		w.WriteMsg(m)
		return
	}
	wire, err := tsigauth.Sign(m, s, now)
	if err != nil {
		log.Errorf("update: signing reply: %v", err)
		return
	}
	writeSigned(w, m, wire)
}

// edeCode is the RFC 8914 info code sent with an UPDATE reply's text:
// Prohibited (18) for a refusal, Not Authoritative (20) for a zone this
// node does not serve (NOTAUTH without TSIG error, RFC 2136 §3.1.1), and
// Other (0) for the rest, whose text says what went wrong.
func edeCode(rcode int) uint16 {
	switch rcode {
	case dns.RcodeRefused:
		return dns.ExtendedErrorCodeProhibited
	case dns.RcodeNotAuth:
		return dns.ExtendedErrorCodeNotAuthoritative
	}
	return dns.ExtendedErrorCodeOther
}

// storeFailure is the outcome of an UPDATE the store could not take.
func storeFailure() outcome {
	return outcome{rcode: dns.RcodeServerFailure, text: storeUnavailable, result: updServfail}
}
