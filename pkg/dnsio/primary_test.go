package dnsio

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// zoneHandler answers for one zone from a fixed RR table, with the SOA in
// the authority section of NODATA and NXDOMAIN replies, and REFUSED
// outside the zone, as an authoritative node does.
func zoneHandler(zone string, rrs []string) func(dns.ResponseWriter, *dns.Msg) {
	var table []dns.RR
	for _, s := range rrs {
		rr, err := dns.NewRR(s)
		if err != nil {
			panic(err)
		}
		table = append(table, rr)
	}
	return func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		q := r.Question[0]
		if !dns.IsSubDomain(zone, q.Name) {
			m.SetRcode(r, dns.RcodeRefused)
			w.WriteMsg(m)
			return
		}
		m.SetReply(r)
		m.Authoritative = true
		known := false
		for _, rr := range table {
			if dns.CanonicalName(rr.Header().Name) == dns.CanonicalName(q.Name) {
				known = true
				if rr.Header().Rrtype == q.Qtype {
					m.Answer = append(m.Answer, rr)
				}
			}
		}
		if len(m.Answer) == 0 {
			m.Ns = append(m.Ns, table[0]) // the SOA comes first
			if !known {
				m.Rcode = dns.RcodeNameError
			}
		}
		w.WriteMsg(m)
	}
}

func TestPrimary(t *testing.T) {
	const soa = "b.example. 60 IN SOA ns1.b.example. hostmaster.b.example. 1 2 3 4 5"
	tests := []struct {
		name     string
		rrs      []string
		query    string
		port     int
		wantZone string
		want     []string
		wantErr  error
	}{
		{"mname addresses", []string{soa, "ns1.b.example. 60 IN A 192.0.2.1",
			"ns1.b.example. 60 IN AAAA 2001:db8::1", "b.example. 60 IN NS ns2.b.example.",
			"ns2.b.example. 60 IN A 192.0.2.2"},
			"b.example", 0, "b.example", []string{"192.0.2.1:53", "[2001:db8::1]:53"}, nil},
		{"below the apex, port override", []string{soa, "ns1.b.example. 60 IN A 192.0.2.1"},
			"slot-0.mb-x.b.example", 5300, "b.example", []string{"192.0.2.1:5300"}, nil},
		{"ns targets when mname has no address", []string{soa,
			"b.example. 60 IN NS ns2.b.example.", "b.example. 60 IN NS ns3.b.example.",
			"ns2.b.example. 60 IN A 192.0.2.2", "ns3.b.example. 60 IN A 192.0.2.3"},
			"b.example", 0, "b.example", []string{"192.0.2.2:53", "192.0.2.3:53"}, nil},
		{"no address at all", []string{soa, "b.example. 60 IN NS ns2.b.example."},
			"b.example", 0, "", nil, ErrNoPrimary},
	}
	other, ts := startServer(t), startServer(t)
	other.set(zoneHandler("a.example.", []string{
		"a.example. 60 IN SOA a.example. h.a.example. 1 2 3 4 5"}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.set(zoneHandler("b.example.", tt.rrs))
			// The first server refuses b.example; the reader moves on.
			r := &Reader{Servers: []string{other.addr, ts.addr}}
			zone, got, err := r.Primary(context.Background(), tt.query, tt.port)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, %v, want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || zone != tt.wantZone || !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, %v, %v, want %q, %v", zone, got, err, tt.wantZone, tt.want)
			}
		})
	}
}

func TestReaderMovesOnAfterRefused(t *testing.T) {
	a, b := startServer(t), startServer(t)
	a.set(zoneHandler("a.example.", []string{
		"a.example. 60 IN SOA a.example. h.a.example. 1 2 3 4 5",
		`x.a.example. 60 IN TXT "from a"`}))
	b.set(zoneHandler("b.example.", []string{
		"b.example. 60 IN SOA b.example. h.b.example. 1 2 3 4 5",
		`x.b.example. 60 IN TXT "from b"`}))
	r := &Reader{Servers: []string{a.addr, b.addr}}
	for _, name := range []string{"x.a.example", "x.b.example"} {
		got, err := r.LookupTXT(context.Background(), name)
		if err != nil || len(got) != 1 || got[0] != "from "+name[2:3] {
			t.Fatalf("%s: got %q, %v, want [\"from %s\"]", name, got, err, name[2:3])
		}
	}
	got, err := r.LookupTXT(context.Background(), "x.c.example")
	if !errors.Is(err, ErrQuery) {
		t.Fatalf("name no server serves: got %q, %v, want ErrQuery (REFUSED)", got, err)
	}
}

// TestUpdatersFailover checks that Updaters moves past a server that does
// not reply but stops at one that refuses.
func TestUpdatersFailover(t *testing.T) {
	dead := deadAddr(t)
	ts := startServer(t)
	ts.set(func(w dns.ResponseWriter, r *dns.Msg) { signedReply(w, r, dns.RcodeRefused, "no") })
	ch := Change{Op: Add, Owner: "x." + testZone, Value: "v", TTL: 60}
	us := Updaters{{Server: dead, Zone: testZone, Timeout: 300e6},
		{Server: ts.addr, Zone: testZone}}
	if err := us.Apply(context.Background(), ch); !errors.Is(err, ErrRefused) {
		t.Fatalf("got %v, want the second server's refusal", err)
	}
	if err := (Updaters{}).Apply(context.Background(), ch); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("no servers: got %v, want ErrUnreachable", err)
	}
}

// deadAddr returns a loopback UDP address nothing answers on.
func deadAddr(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}
