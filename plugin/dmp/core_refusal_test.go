package dmp

import (
	"testing"

	"github.com/dnsmesh/dmp/internal/nodetest"

	"github.com/miekg/dns"
)

// ede returns the first extended DNS error of m, or nil.
func ede(m *dns.Msg) *dns.EDNS0_EDE {
	if opt := m.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if e, ok := o.(*dns.EDNS0_EDE); ok {
				return e
			}
		}
	}
	return nil
}

// UPDATEs refused for their zone say why in an extended DNS error when
// they carry EDNS, whether CoreDNS refuses them before dmp runs (a zone
// outside the server block, class CH) or dmp does (a zone below a served
// one); a request with two OPT records gets FORMERR (RFC 6891 §6.1.1).
// Issue #5, P11.
func TestNodeZoneRefusalsExplained(t *testing.T) {
	n := nodetest.Start(t, "example.org:{{PORT}} {\n    bind 127.0.0.1\n    dmp {\n"+
		"        db {{DIR}}/dmp.db\n    }\n}\n")
	cases := []struct {
		name      string
		zone      string
		class     uint16
		wantRcode int
		wantText  string
	}{
		{"zone not served", "other.org.", dns.ClassINET, dns.RcodeRefused,
			"zone other.org. is not served here"},
		{"class CH", "example.org.", dns.ClassCHAOS, dns.RcodeRefused,
			"zone class CH is not served here; UPDATE takes class IN"},
		{"zone below a served one", "sub.example.org.", dns.ClassINET, dns.RcodeNotAuth,
			"zone sub.example.org. is not served here"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetUpdate(c.zone)
			m.Question[0].Qclass = c.class
			m.SetEdns0(1232, false)
			r, err := n.Exchange(m, "udp")
			if err != nil {
				t.Fatal(err)
			}
			e := ede(r)
			if r.Rcode != c.wantRcode || e == nil || e.ExtraText != c.wantText ||
				e.InfoCode != dns.ExtendedErrorCodeNotAuthoritative {
				t.Fatalf("got %s with EDE %v, want %s with EDE 20 %q",
					dns.RcodeToString[r.Rcode], e, dns.RcodeToString[c.wantRcode], c.wantText)
			}
		})
	}

	for _, opcode := range []int{dns.OpcodeQuery, dns.OpcodeUpdate} {
		t.Run("two OPT/"+dns.OpcodeToString[opcode], func(t *testing.T) {
			m := new(dns.Msg)
			m.SetQuestion("example.org.", dns.TypeSOA)
			m.Opcode = opcode
			m.SetEdns0(1232, false)
			m.Extra = append(m.Extra, m.Extra[0])
			for _, transport := range []string{"udp", "tcp"} {
				r, err := n.Exchange(m, transport)
				if err != nil || r.Rcode != dns.RcodeFormatError {
					t.Fatalf("%s: got %v, %v; want FORMERR", transport, r, err)
				}
			}
		})
	}
}

// Only bare REFUSED replies to EDNS UPDATEs get a text.
func TestExplainRefusalLeaves(t *testing.T) {
	reply := func(opcode, rcode int, edns, text bool) []byte {
		m := new(dns.Msg)
		m.SetUpdate("other.org.")
		m.Opcode = opcode
		m.Response, m.Rcode = true, rcode
		if edns {
			m.SetEdns0(1232, false)
		}
		if text {
			o := m.IsEdns0()
			o.Option = append(o.Option, &dns.EDNS0_EDE{ExtraText: "own"})
		}
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want bool
	}{
		{"bare REFUSED UPDATE with EDNS", reply(dns.OpcodeUpdate, dns.RcodeRefused, true, false),
			true},
		{"no EDNS", reply(dns.OpcodeUpdate, dns.RcodeRefused, false, false), false},
		{"already explained", reply(dns.OpcodeUpdate, dns.RcodeRefused, true, true), false},
		{"query", reply(dns.OpcodeQuery, dns.RcodeRefused, true, false), false},
		{"NOTAUTH", reply(dns.OpcodeUpdate, dns.RcodeNotAuth, true, false), false},
		{"short", []byte{1, 2, 3}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := explainRefusal(c.b) != nil; got != c.want {
				t.Errorf("got rewritten %v, want %v", got, c.want)
			}
		})
	}
}

// Over TCP, the REFUSED CoreDNS itself sends before dmp runs, for a zone
// outside the server block or a zone class other than IN, carries no EDE:
// the listener's writer hook that adds the text is on UDP only. This pins
// the behaviour plugin/dmp/README.md documents ("Three kinds of reply
// carry none: ... over TCP only, the bare REFUSED CoreDNS itself sends"),
// so that a change to it is noticed and the README updated. The UPDATE
// adds a valid claim, which an UPDATE of the zone stores (the last step).
func TestNodeZoneRefusalsTCP(t *testing.T) {
	n := nodetest.Start(t, "example.org:{{PORT}} {\n    bind 127.0.0.1\n    dmp {\n"+
		"        db {{DIR}}/dmp.db\n    }\n}\n")
	owner, claim := "claim-4.mb-0123456789ab.example.org.", nodeClaim(t, 4)
	send := func(zone string, class uint16) *dns.Msg {
		m := new(dns.Msg)
		m.SetUpdate(zone)
		m.Question[0].Qclass = class
		m.Insert([]dns.RR{txtAdd(owner, claim)})
		m.SetEdns0(1232, false)
		r, err := n.Exchange(m, "tcp")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	served := func() int {
		m := new(dns.Msg)
		m.SetQuestion(owner, dns.TypeTXT)
		r, err := n.Exchange(m, "tcp")
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Answer)
	}

	for _, c := range []struct {
		zone  string
		class uint16
	}{{"other.org.", dns.ClassINET}, {"example.org.", dns.ClassCHAOS}} {
		r := send(c.zone, c.class)
		if r.Rcode != dns.RcodeRefused || ede(r) != nil {
			t.Fatalf("%s %s: got %s with EDE %v, want REFUSED with none", c.zone,
				dns.ClassToString[c.class], dns.RcodeToString[r.Rcode], ede(r))
		}
		if k := served(); k != 0 {
			t.Fatalf("%s %s: %d values stored after the refusal", c.zone,
				dns.ClassToString[c.class], k)
		}
	}
	if r := send("example.org.", dns.ClassINET); r.Rcode != dns.RcodeSuccess || served() != 1 {
		t.Fatalf("the claim sent to example.org IN: got %s, %d values served",
			dns.RcodeToString[r.Rcode], served())
	}
}
