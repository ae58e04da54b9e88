package update

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/miekg/dns"
)

var testCfg = Config{
	Zones:       []string{zone},
	MaxValueLen: 2048,
	MaxPerOwner: 4,
	MaxTTL:      24 * time.Hour,
	Quota:       100,
	ClaimMaxTTL: 24 * time.Hour,
}

func userKey() *store.Key {
	return &store.Key{
		Name: "alice-key.mesh.example.",
		Scope: []string{
			names.IdentityHashed("alice", zone), "id-" + aliceHash()[:12] + ".mesh.example",
			"slot-*.mb-*.mesh.example", "chunk-*-*.mesh.example",
			"claim-*.mb-*.mesh.example", "mb-" + mailboxHash() + ".mesh.example",
		},
		SignKey: pubA,
	}
}

func aliceHash() string {
	return strings.TrimPrefix(strings.Split(names.IdentityHashed("alice", zone), ".")[0], "id-")
}

func TestParseSigned(t *testing.T) {
	slot := "slot-3.mb-" + mailboxHash() + "." + zone
	chunk := "chunk-0001-0123456789ab." + zone
	ident := names.IdentityHashed("alice", zone) + "."
	prekeys := "prekeys.id-" + aliceHash()[:12] + "." + zone
	otherIdent := names.IdentityHashed("mallory", zone) + "."

	cases := []struct {
		name   string
		rrs    []dns.RR
		rcode  int
		change store.Change
		text   string // the refusal's text, which the EDE carries
	}{
		{"manifest add", []dns.RR{txtRR(slot, dns.ClassINET, 300, manifestWire(t))},
			dns.RcodeSuccess, store.Change{Op: store.OpAdd, Owner: slot,
				Value: manifestWire(t), TTL: 300 * time.Second}, ""},
		{"mixed-case owner is lower-cased",
			[]dns.RR{txtRR(strings.ToUpper(chunk), dns.ClassINET, 0, chunkWire(t))},
			dns.RcodeSuccess, store.Change{Op: store.OpAdd, Owner: chunk,
				Value: chunkWire(t), TTL: DefaultTTL}, ""},
		{"TTL capped", []dns.RR{txtRR(ident, dns.ClassINET, 7*86400, identityWire(t, "alice"))},
			dns.RcodeSuccess, store.Change{Op: store.OpAdd, Owner: ident,
				Value: identityWire(t, "alice"), TTL: 24 * time.Hour}, ""},
		{"prekey under registered key", []dns.RR{txtRR(prekeys, dns.ClassINET, 60,
			prekeyWire(t, privA))}, dns.RcodeSuccess, store.Change{Op: store.OpAdd,
			Owner: prekeys, Value: prekeyWire(t, privA), TTL: time.Minute}, ""},
		{"delete value", []dns.RR{txtRR(ident, dns.ClassNONE, 0, "v=x")},
			dns.RcodeSuccess, store.Change{Op: store.OpDeleteValue, Owner: ident,
				Value: "v=x"}, ""},
		{"delete RRset", []dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: ident,
			Rrtype: dns.TypeTXT, Class: dns.ClassANY}}},
			dns.RcodeSuccess, store.Change{Op: store.OpDeleteRRset, Owner: ident}, ""},
		{"scope escape", []dns.RR{txtRR(otherIdent, dns.ClassINET, 60,
			identityWire(t, "mallory"))}, dns.RcodeRefused, store.Change{},
			"alice-key.mesh.example. may not add at " + strings.TrimSuffix(otherIdent, ".")},
		{"wildcard delete", []dns.RR{txtRR("slot-1.mb-ffffffffffff."+zone, dns.ClassNONE,
			0, "x")}, dns.RcodeRefused, store.Change{},
			"alice-key.mesh.example. may not delete at slot-1.mb-ffffffffffff.mesh.example"},
		{"non-UTF-8 value", []dns.RR{txtRR(slot, dns.ClassINET, 60, "v=dmp1;\xff")},
			dns.RcodeFormatError, store.Change{}, "TXT value is not valid UTF-8"},
		{"forged manifest", []dns.RR{txtRR(slot, dns.ClassINET, 60,
			forge(manifestWire(t)))}, dns.RcodeRefused, store.Change{},
			"dmp manifest record: signature does not verify"},
		{"manifest at chunk name", []dns.RR{txtRR(chunk, dns.ClassINET, 60,
			manifestWire(t))}, dns.RcodeRefused, store.Change{}, "dmp chunk record:"},
		{"identity of another user", []dns.RR{txtRR(ident, dns.ClassINET, 60,
			identityWire(t, "bob"))}, dns.RcodeRefused, store.Change{},
			`identity of "bob" does not belong at this owner name`},
		{"prekey under another key", []dns.RR{txtRR(prekeys, dns.ClassINET, 60,
			prekeyWire(t, privB))}, dns.RcodeRefused, store.Change{},
			"dmp prekey record: signature does not verify"},
		{"outside zone", []dns.RR{txtRR("x.other.example.", dns.ClassINET, 60, "x")},
			dns.RcodeNotZone, store.Change{}, "x.other.example. is outside zone mesh.example."},
		{"A record add", []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: ident, Rrtype: dns.TypeA,
			Class: dns.ClassINET, Ttl: 60}, A: []byte{1, 2, 3, 4}}}, dns.RcodeRefused,
			store.Change{}, "only TXT records are stored, not A"},
		{"apex add", []dns.RR{txtRR(zone, dns.ClassINET, 60, "x")}, dns.RcodeRefused,
			store.Change{}, "alice-key.mesh.example. may not add at mesh.example."},
		{"too many values at one owner", manyChunks(t, chunk, 5), dns.RcodeRefused,
			store.Change{}, "more than 4 values at " + chunk},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Parse(updateMsg(c.rrs...), testCfg, Writer{Key: userKey()}, testNow)
			if got := rcodeOf(err); got != c.rcode {
				t.Fatalf("got rcode %s (%v), want %s", dns.RcodeToString[got], err,
					dns.RcodeToString[c.rcode])
			}
			if err != nil {
				if text := err.(*Refusal).Text; !strings.Contains(text, c.text) {
					t.Fatalf("got refusal %q, want it to say %q", text, c.text)
				}
				return
			}
			u := res.Update
			if len(u.Changes) != 1 || u.Changes[0] != c.change {
				t.Fatalf("got changes %+v, want [%+v]", u.Changes, c.change)
			}
			if u.Writer != userKey().Name || u.WriterQuota != 100 || u.MaxPerOwner != 4 {
				t.Fatalf("got writer %q quota %d cap %d", u.Writer, u.WriterQuota, u.MaxPerOwner)
			}
		})
	}
}

// forge flips one base64 character in the signed part of a wire value.
func forge(w string) string {
	b := []byte(w)
	i := len(b) - 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// manyChunks is n adds of distinct valid chunk records at owner, so only
// the per-owner cap can refuse them.
func manyChunks(t *testing.T, owner string, n int) []dns.RR {
	t.Helper()
	var out []dns.RR
	for i := range n {
		data := make([]byte, records.ChunkSize)
		data[0] = byte(i + 1)
		w, err := records.EncodeChunk(data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, txtRR(owner, dns.ClassINET, 60, w))
	}
	return out
}

// TestParseValueCap checks the value-size cap on a record that is valid
// for its owner name, so nothing but the cap can refuse it: one byte over
// a lowered cap is refused with a text naming the cap, at the cap it is
// accepted.
func TestParseValueCap(t *testing.T) {
	slot := "slot-3.mb-" + mailboxHash() + "." + zone
	w := manifestWire(t)
	rr := txtRR(slot, dns.ClassINET, 60, w)

	cfg := testCfg
	cfg.MaxValueLen = len(w) - 1
	_, err := Parse(updateMsg(rr), cfg, Writer{Key: userKey()}, testNow)
	want := fmt.Sprintf("value is %d bytes, the cap is %d", len(w), len(w)-1)
	if rcodeOf(err) != dns.RcodeRefused || err.(*Refusal).Text != want {
		t.Fatalf("over the cap: got %v, want REFUSED %q", err, want)
	}

	cfg.MaxValueLen = len(w)
	if _, err := Parse(updateMsg(rr), cfg, Writer{Key: userKey()}, testNow); err != nil {
		t.Fatalf("at the cap: got %v, want accepted", err)
	}
}

func rcodeOf(err error) int {
	if err == nil {
		return dns.RcodeSuccess
	}
	if r, ok := err.(*Refusal); ok {
		return r.Rcode
	}
	return -1
}

// TestMultiStringJoin checks a 532-byte value split into three strings is
// stored joined.
func TestMultiStringJoin(t *testing.T) {
	value := strings.Repeat("abcd", 133)
	owner := "chunk-0002-0123456789ab." + zone
	rr := txtRR(owner, dns.ClassNONE, 0, value)
	if len(rr.Txt) != 3 {
		t.Fatalf("got %d strings, want 3", len(rr.Txt))
	}
	key := userKey()
	key.Scope = []string{"mesh.example"}
	res, err := Parse(updateMsg(rr), testCfg, Writer{Key: key}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Update.Changes[0].Value; got != value {
		t.Fatalf("got %d bytes, want %d", len(got), len(value))
	}
}

func TestParseClaim(t *testing.T) {
	h := mailboxHash()
	cases := []struct {
		name  string
		rrs   []dns.RR
		rcode int
	}{
		{"claim", []dns.RR{txtRR("claim-4.mb-"+h+"."+zone, dns.ClassINET, 600,
			claimWire(t, 4))}, dns.RcodeSuccess},
		{"wrong slot", []dns.RR{txtRR("claim-5.mb-"+h+"."+zone, dns.ClassINET, 600,
			claimWire(t, 4))}, dns.RcodeRefused},
		{"two claims", []dns.RR{txtRR("claim-4.mb-"+h+"."+zone, dns.ClassINET, 600,
			claimWire(t, 4)), txtRR("claim-4.mb-"+h+"."+zone, dns.ClassINET, 600,
			claimWire(t, 4))}, dns.RcodeRefused},
		{"claim below a subdomain", []dns.RR{txtRR("claim-4.mb-"+h+".sub."+zone,
			dns.ClassINET, 600, claimWire(t, 4))}, dns.RcodeRefused},
		{"manifest", []dns.RR{txtRR("slot-4.mb-"+h+"."+zone, dns.ClassINET, 600,
			manifestWire(t))}, dns.RcodeRefused},
		{"delete", []dns.RR{txtRR("claim-4.mb-"+h+"."+zone, dns.ClassNONE, 0,
			claimWire(t, 4))}, dns.RcodeRefused},
		{"nothing", nil, dns.RcodeRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Parse(updateMsg(c.rrs...), testCfg, Writer{IP: "192.0.2.1"}, testNow)
			if got := rcodeOf(err); got != c.rcode {
				t.Fatalf("got rcode %d (%v), want %d", got, err, c.rcode)
			}
			if err != nil {
				return
			}
			if res.Recipient != h || res.Update.Writer != "ip:192.0.2.1" {
				t.Fatalf("got recipient %q writer %q", res.Recipient, res.Update.Writer)
			}
			if ttl := res.Update.Changes[0].TTL; ttl != 600*time.Second {
				t.Fatalf("got TTL %v, want 10m", ttl)
			}
		})
	}
}

func TestZoneAndPrereqs(t *testing.T) {
	ident := names.IdentityHashed("alice", zone) + "."
	base := func() *dns.Msg { return updateMsg() }
	cases := []struct {
		name   string
		msg    func() *dns.Msg
		rcode  int
		prereq []store.Prereq
	}{
		{"not served", func() *dns.Msg {
			m := base()
			m.Question[0].Name = "other.example."
			return m
		}, dns.RcodeNotAuth, nil},
		{"zone type", func() *dns.Msg {
			m := base()
			m.Question[0].Qtype = dns.TypeA
			return m
		}, dns.RcodeFormatError, nil},
		{"rrset exists", func() *dns.Msg {
			m := base()
			m.RRsetUsed([]dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: ident, Rrtype: dns.TypeTXT}}})
			return m
		}, dns.RcodeSuccess, []store.Prereq{{Kind: store.RRsetExists, Owner: ident}}},
		{"name not in use", func() *dns.Msg {
			m := base()
			m.NameNotUsed([]dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: ident}}})
			return m
		}, dns.RcodeSuccess, []store.Prereq{{Kind: store.NameNotInUse, Owner: ident}}},
		{"rrset equals", func() *dns.Msg {
			m := base()
			m.Used([]dns.RR{txtRR(ident, dns.ClassINET, 0, "b"), txtRR(ident, 0, 0, "a")})
			return m
		}, dns.RcodeSuccess, []store.Prereq{{Kind: store.RRsetEquals, Owner: ident,
			Values: []string{"a", "b"}}}},
		{"apex SOA exists", func() *dns.Msg {
			m := base()
			m.RRsetUsed([]dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeSOA}}})
			return m
		}, dns.RcodeSuccess, nil},
		{"A rrset exists", func() *dns.Msg {
			m := base()
			m.RRsetUsed([]dns.RR{&dns.A{Hdr: dns.RR_Header{Name: ident, Rrtype: dns.TypeA}}})
			return m
		}, dns.RcodeNXRrset, nil},
		{"apex not in use", func() *dns.Msg {
			m := base()
			m.NameNotUsed([]dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: zone}}})
			return m
		}, dns.RcodeYXDomain, nil},
		{"prereq TTL", func() *dns.Msg {
			m := base()
			m.Answer = []dns.RR{txtRR(ident, dns.ClassINET, 5, "a")}
			return m
		}, dns.RcodeFormatError, nil},
		{"prereq outside zone", func() *dns.Msg {
			m := base()
			m.NameUsed([]dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: "a.example."}}})
			return m
		}, dns.RcodeNotZone, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Parse(c.msg(), testCfg, Writer{Key: userKey()}, testNow)
			if got := rcodeOf(err); got != c.rcode {
				t.Fatalf("got rcode %d (%v), want %d", got, err, c.rcode)
			}
			if err != nil {
				return
			}
			got := res.Update.Prereqs
			if len(got) != len(c.prereq) {
				t.Fatalf("got prereqs %+v, want %+v", got, c.prereq)
			}
			for i := range got {
				if got[i].Kind != c.prereq[i].Kind || got[i].Owner != c.prereq[i].Owner ||
					strings.Join(got[i].Values, ",") != strings.Join(c.prereq[i].Values, ",") {
					t.Fatalf("got prereqs %+v, want %+v", got, c.prereq)
				}
			}
		})
	}
}

// TestApexPrereqs answers prerequisites on the synthesized apex A, AAAA
// and NS RRsets from the configured records.
func TestApexPrereqs(t *testing.T) {
	cfg := testCfg
	cfg.Apex = map[uint16][]string{
		dns.TypeA:    {"192.0.2.53"},
		dns.TypeAAAA: {"2001:db8::53"},
		dns.TypeNS:   {"ns1.mesh.example."},
	}
	noAddr := testCfg
	a := func(ip string) dns.RR {
		return &dns.A{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeA, Class: dns.ClassINET},
			A: net.ParseIP(ip)}
	}
	aaaa := &dns.AAAA{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeAAAA,
		Class: dns.ClassINET}, AAAA: net.ParseIP("2001:db8::53")}
	ns := &dns.NS{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeNS, Class: dns.ClassINET},
		Ns: "NS1.mesh.example."}
	cases := []struct {
		name  string
		cfg   Config
		set   func(m *dns.Msg)
		rcode int
	}{
		{"A exists", cfg, func(m *dns.Msg) { m.RRsetUsed([]dns.RR{a("0.0.0.0")}) },
			dns.RcodeSuccess},
		{"A exists unconfigured", noAddr, func(m *dns.Msg) { m.RRsetUsed([]dns.RR{a("0.0.0.0")}) },
			dns.RcodeNXRrset},
		{"A absent", cfg, func(m *dns.Msg) { m.RRsetNotUsed([]dns.RR{a("0.0.0.0")}) },
			dns.RcodeYXRrset},
		{"A absent unconfigured", noAddr,
			func(m *dns.Msg) { m.RRsetNotUsed([]dns.RR{a("0.0.0.0")}) }, dns.RcodeSuccess},
		{"AAAA absent", cfg, func(m *dns.Msg) { m.RRsetNotUsed([]dns.RR{aaaa}) },
			dns.RcodeYXRrset},
		{"A equals", cfg, func(m *dns.Msg) { m.Used([]dns.RR{a("192.0.2.53")}) },
			dns.RcodeSuccess},
		{"A differs", cfg, func(m *dns.Msg) { m.Used([]dns.RR{a("192.0.2.54")}) },
			dns.RcodeNXRrset},
		{"A superset", cfg,
			func(m *dns.Msg) { m.Used([]dns.RR{a("192.0.2.53"), a("192.0.2.54")}) },
			dns.RcodeNXRrset},
		{"AAAA equals", cfg, func(m *dns.Msg) { m.Used([]dns.RR{aaaa}) }, dns.RcodeSuccess},
		{"NS equals any case", cfg, func(m *dns.Msg) { m.Used([]dns.RR{ns}) },
			dns.RcodeSuccess},
		{"NS unconfigured", noAddr, func(m *dns.Msg) { m.RRsetUsed([]dns.RR{ns}) },
			dns.RcodeNXRrset},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := updateMsg()
			c.set(m)
			_, err := Parse(m, c.cfg, Writer{Key: userKey()}, testNow)
			if got := rcodeOf(err); got != c.rcode {
				t.Fatalf("got rcode %s (%v), want %s", dns.RcodeToString[got], err,
					dns.RcodeToString[c.rcode])
			}
		})
	}
}
