package dmp

import (
	"testing"

	"github.com/miekg/dns"
)

// An UPDATE the store cannot take gets SERVFAIL with an extended DNS error
// saying so when it carries EDNS (issue #5, P11).
func TestUpdateStoreFailureExplained(t *testing.T) {
	d := newWriteDmp(t)
	d.write.st.Close()
	m := new(dns.Msg)
	m.SetUpdate(wZone)
	m.Insert([]dns.RR{txtAdd("chunk-0001-0123456789ab."+wZone, chunkValue(t, 1))})
	m.SetEdns0(1232, false)
	r := serveUpd(t, d, signed(t, m, wSecret, t0))
	e := ede(r)
	if r.Rcode != dns.RcodeServerFailure || e == nil || e.ExtraText != storeUnavailable ||
		e.InfoCode != dns.ExtendedErrorCodeOther {
		t.Fatalf("got %s with EDE %v, want SERVFAIL with EDE 0 %q",
			dns.RcodeToString[r.Rcode], e, storeUnavailable)
	}
}

// Two OPT records get FORMERR (RFC 6891 §6.1.1), for queries and UPDATEs.
func TestManyOPT(t *testing.T) {
	for _, opcode := range []int{dns.OpcodeQuery, dns.OpcodeUpdate} {
		t.Run(dns.OpcodeToString[opcode], func(t *testing.T) {
			d := newTestDmp(t)
			m := new(dns.Msg)
			m.SetQuestion("example.org.", dns.TypeSOA)
			m.Opcode = opcode
			m.SetEdns0(1232, false)
			m.Extra = append(m.Extra, &dns.OPT{Hdr: dns.RR_Header{Name: ".",
				Rrtype: dns.TypeOPT, Class: 512}})
			w := &captureWriter{}
			if _, err := d.ServeDNS(t.Context(), w, m); err != nil {
				t.Fatal(err)
			}
			if r := w.reply(t); r.Rcode != dns.RcodeFormatError {
				t.Errorf("got %s, want FORMERR", dns.RcodeToString[r.Rcode])
			}
		})
	}
}
