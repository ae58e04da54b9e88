package dmp

import (
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

// TestUpdateApexAddressPrereq checks that prerequisites on the apex A and
// AAAA RRsets are answered from the `address` option.
func TestUpdateApexAddressPrereq(t *testing.T) {
	d := newWriteDmp(t)
	d.Apex.Addrs = []netip.Addr{netip.MustParseAddr("192.0.2.53"),
		netip.MustParseAddr("2001:db8::53")}
	owner := "chunk-0001-0123456789ab.example.org."
	a := &dns.A{Hdr: dns.RR_Header{Name: wZone, Rrtype: dns.TypeA, Class: dns.ClassINET},
		A: net.ParseIP("192.0.2.53")}
	aaaa := &dns.AAAA{Hdr: dns.RR_Header{Name: wZone, Rrtype: dns.TypeAAAA}}
	cases := []struct {
		name  string
		set   func(m *dns.Msg)
		rcode int
	}{
		{"A exists", func(m *dns.Msg) { m.RRsetUsed([]dns.RR{a}) }, dns.RcodeSuccess},
		{"A equals", func(m *dns.Msg) { m.Used([]dns.RR{a}) }, dns.RcodeSuccess},
		{"AAAA absent", func(m *dns.Msg) { m.RRsetNotUsed([]dns.RR{aaaa}) }, dns.RcodeYXRrset},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetUpdate(wZone)
			c.set(m)
			m.Insert([]dns.RR{txtAdd(owner, chunkValue(t, byte(i)))})
			r := serveUpd(t, d, signed(t, m, wSecret, t0))
			if r.Rcode != c.rcode {
				t.Fatalf("got %s, want %s", dns.RcodeToString[r.Rcode],
					dns.RcodeToString[c.rcode])
			}
		})
	}
}
