package dmp

import (
	"fmt"

	"github.com/miekg/dns"
)

// CoreDNS refuses some UPDATEs before any plugin runs: a zone section
// naming a zone no server block on the listener serves, or a class other
// than IN. Its reply is a bare REFUSED, with an OPT record when the
// request had EDNS. refusalWriter adds an extended DNS error (RFC 8914
// code 20, Not Authoritative) saying which, so an operator reading
// nsupdate's or kdig's output sees why. It sits in the UDP writer hook
// (see decorateUDP); CoreDNS v1.15 has no such hook for TCP, where these
// replies stay bare.
type refusalWriter struct {
	dns.Writer
}

func (w refusalWriter) Write(b []byte) (int, error) {
	if nb := explainRefusal(b); nb != nil {
		if _, err := w.Writer.Write(nb); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return w.Writer.Write(b)
}

// explainRefusal returns reply b with the extended error added when b is
// CoreDNS's bare REFUSED to an EDNS UPDATE, else nil.
func explainRefusal(b []byte) []byte {
	if len(b) < hdrLen || b[flagsOff]&qrBit == 0 ||
		b[flagsOff]&opcodeMask != dns.OpcodeUpdate<<3 ||
		b[flagsOff+1]&rcodeMask != dns.RcodeRefused {
		return nil
	}
	m := new(dns.Msg)
	if m.Unpack(b) != nil || len(m.Question) != 1 || m.IsTsig() != nil {
		return nil
	}
	opt := m.IsEdns0()
	if opt == nil || len(opt.Option) != 0 {
		return nil
	}

	q := m.Question[0]
	text := fmt.Sprintf("zone %s is not served here", q.Name)
	if q.Qclass != dns.ClassINET {
		text = fmt.Sprintf("zone class %s is not served here; UPDATE takes class IN",
			dns.Class(q.Qclass))
	}
	opt.Option = append(opt.Option,
		&dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeNotAuthoritative, ExtraText: text})
	nb, err := m.Pack()
	if err != nil {
		return nil
	}
	return nb
}
