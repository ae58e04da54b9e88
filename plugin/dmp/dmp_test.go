package dmp

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"

	"github.com/coredns/coredns/plugin/pkg/dnstest"
	"github.com/coredns/coredns/plugin/test"
	"github.com/miekg/dns"
)

// t0 is the pinned clock of the plugin tests; the SOA serial is its Unix
// time, 1767225600.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const soaLine = "example.org. 60 IN SOA ns1.example.org. hostmaster.example.org. " +
	"1767225600 3600 600 604800 60"

// seed is the data every answer test runs against: owner -> values, with
// a lifetime of one hour unless the test case says otherwise.
var seed = []store.Change{
	add("slot-0.mb-0123456789ab.example.org.", "hello", time.Hour),
	add("multi.example.org.", "b-value", time.Hour),
	add("multi.example.org.", "a-value", time.Hour),
	add("long.example.org.", strings.Repeat("x", 600), time.Hour),
	add("short.example.org.", "soon", 20*time.Second),
	add("slash.example.org.", `a\b"c`, time.Hour),
	add("example.org.", "apex-value", time.Hour),
}

func add(owner, value string, ttl time.Duration) store.Change {
	return store.Change{Op: store.OpAdd, Owner: owner, Value: value, TTL: ttl}
}

// newTestDmp returns a dmp for example.org on a fresh embedded store
// holding seed, with the clock pinned at t0.
func newTestDmp(t testing.TB) *Dmp {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "dmp.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	u := store.Update{Zone: "example.org.", Changes: seed}
	if err := s.Apply(context.Background(), u, t0); err != nil {
		t.Fatal(err)
	}
	expired := store.Update{Zone: "example.org.", Changes: []store.Change{
		add("expired.example.org.", "gone", 10*time.Second),
	}}
	if err := s.Apply(context.Background(), expired, t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}

	d := New()
	d.Zones = []string{"example.org."}
	d.Store = s
	d.Now = func() time.Time { return t0 }
	d.Apex.NS = []string{"ns1.example.org.", "ns2.example.org."}
	d.Apex.Addrs = []netip.Addr{netip.MustParseAddr("192.0.2.53")}
	d.Next = test.ErrorHandler()
	return d
}

// serve runs one query through d and returns the written reply (nil if
// none) and the returned rcode.
func serve(t *testing.T, d *Dmp, w dns.ResponseWriter, m *dns.Msg) (*dns.Msg, int) {
	t.Helper()
	rec := dnstest.NewRecorder(w)
	rcode, err := d.ServeDNS(context.Background(), rec, m)
	if err != nil {
		t.Fatalf("ServeDNS(%s): unexpected error %v", m.Question[0].String(), err)
	}
	return rec.Msg, rcode
}

func TestServeAnswers(t *testing.T) {
	soa := test.SOA(soaLine)
	cases := []struct {
		name string
		tc   test.Case
	}{
		{"txt one value", test.Case{
			Qname: "slot-0.mb-0123456789ab.example.org.", Qtype: dns.TypeTXT,
			Answer: []dns.RR{test.TXT(`slot-0.mb-0123456789ab.example.org. 60 IN TXT "hello"`)},
		}},
		{"txt rrset", test.Case{
			Qname: "multi.example.org.", Qtype: dns.TypeTXT,
			Answer: []dns.RR{
				test.TXT(`multi.example.org. 60 IN TXT "a-value"`),
				test.TXT(`multi.example.org. 60 IN TXT "b-value"`),
			},
		}},
		{"question case echoed", test.Case{
			Qname: "MuLTi.ExAmple.ORG.", Qtype: dns.TypeTXT,
			Answer: []dns.RR{
				test.TXT(`MuLTi.ExAmple.ORG. 60 IN TXT "a-value"`),
				test.TXT(`MuLTi.ExAmple.ORG. 60 IN TXT "b-value"`),
			},
		}},
		{"ttl capped by remaining lifetime", test.Case{
			Qname: "short.example.org.", Qtype: dns.TypeTXT,
			Answer: []dns.RR{test.TXT(`short.example.org. 20 IN TXT "soon"`)},
		}},
		{"any returns txt", test.Case{
			Qname: "slot-0.mb-0123456789ab.example.org.", Qtype: dns.TypeANY,
			Answer: []dns.RR{test.TXT(`slot-0.mb-0123456789ab.example.org. 60 IN TXT "hello"`)},
		}},
		{"empty non-terminal is nodata", test.Case{
			Qname: "mb-0123456789ab.example.org.", Qtype: dns.TypeTXT, Ns: []dns.RR{soa},
		}},
		{"missing name is nxdomain", test.Case{
			Qname: "nobody.example.org.", Qtype: dns.TypeTXT, Rcode: dns.RcodeNameError,
			Ns: []dns.RR{soa},
		}},
		{"below a missing name is nxdomain", test.Case{
			Qname: "a.slot-9.mb-0123456789ab.example.org.", Qtype: dns.TypeTXT,
			Rcode: dns.RcodeNameError, Ns: []dns.RR{soa},
		}},
		{"expired value is gone", test.Case{
			Qname: "expired.example.org.", Qtype: dns.TypeTXT, Rcode: dns.RcodeNameError,
			Ns: []dns.RR{soa},
		}},
		{"other type at a txt owner is nodata", test.Case{
			Qname: "multi.example.org.", Qtype: dns.TypeA, Ns: []dns.RR{soa},
		}},
		{"other type at a missing name is nxdomain", test.Case{
			Qname: "nobody.example.org.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeNameError,
			Ns: []dns.RR{soa},
		}},
		{"apex soa", test.Case{
			Qname: "example.org.", Qtype: dns.TypeSOA, Answer: []dns.RR{soa},
		}},
		{"apex soa in question case", test.Case{
			Qname: "EXAMPLE.org.", Qtype: dns.TypeSOA,
			Answer: []dns.RR{test.SOA(strings.Replace(soaLine, "example.org.", "EXAMPLE.org.", 1))},
		}},
		{"apex ns", test.Case{
			Qname: "example.org.", Qtype: dns.TypeNS,
			Answer: []dns.RR{
				test.NS("example.org. 60 IN NS ns1.example.org."),
				test.NS("example.org. 60 IN NS ns2.example.org."),
			},
		}},
		{"apex a", test.Case{
			Qname: "example.org.", Qtype: dns.TypeA,
			Answer: []dns.RR{test.A("example.org. 60 IN A 192.0.2.53")},
		}},
		{"apex aaaa of the other family is nodata", test.Case{
			Qname: "example.org.", Qtype: dns.TypeAAAA, Ns: []dns.RR{soa},
		}},
		{"apex mx is nodata", test.Case{
			Qname: "example.org.", Qtype: dns.TypeMX, Ns: []dns.RR{soa},
		}},
		{"apex txt from the store", test.Case{
			Qname: "example.org.", Qtype: dns.TypeTXT,
			Answer: []dns.RR{test.TXT(`example.org. 60 IN TXT "apex-value"`)},
		}},
	}
	d := newTestDmp(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, rcode := serve(t, d, &test.ResponseWriter{}, c.tc.Msg())
			if resp == nil {
				t.Fatalf("no reply written, rcode %d", rcode)
			}
			if !resp.Authoritative {
				t.Errorf("got AA=false, want true")
			}
			if err := test.SortAndCheck(resp, c.tc); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestServeNegativeTTL(t *testing.T) {
	d := newTestDmp(t)
	d.Apex.Minimum = 5
	q := test.Case{Qname: "no.example.org.", Qtype: dns.TypeTXT}
	resp, _ := serve(t, d, &test.ResponseWriter{}, q.Msg())
	if len(resp.Ns) != 1 {
		t.Fatalf("got %d authority RRs, want 1", len(resp.Ns))
	}
	soa := resp.Ns[0].(*dns.SOA)
	if soa.Hdr.Ttl != 5 || soa.Minttl != 5 {
		t.Errorf("got SOA TTL %d MINIMUM %d, want 5 and 5 (RFC 2308 §3)", soa.Hdr.Ttl, soa.Minttl)
	}
}

func TestServeApexWithoutNS(t *testing.T) {
	d := newTestDmp(t)
	d.Apex = Apex{Refresh: 3600, Retry: 600, Expire: 604800}
	tc := test.Case{
		Qname: "example.org.", Qtype: dns.TypeNS,
		Ns: []dns.RR{test.SOA("example.org. 60 IN SOA example.org. hostmaster.example.org. " +
			"1767225600 3600 600 604800 60")},
	}
	resp, _ := serve(t, d, &test.ResponseWriter{}, tc.Msg())
	if err := test.SortAndCheck(resp, tc); err != nil {
		t.Error(err)
	}
}

// failStore is a store whose reads fail while err is set.
type failStore struct {
	store.Store
	err error
}

func (f *failStore) Lookup(ctx context.Context, zone, owner string,
	now time.Time) ([]store.Value, bool, error) {
	if f.err != nil {
		return nil, false, f.err
	}
	return f.Store.Lookup(ctx, zone, owner, now)
}

func (f *failStore) Ping(ctx context.Context) error {
	if f.err != nil {
		return f.err
	}
	return f.Store.Ping(ctx)
}

// Rcodes the plugin returns without writing: the server writes them, and
// fallthrough hands the query on.
func TestServeRcodes(t *testing.T) {
	const nextRcode = dns.RcodeBadCookie // marks "the next plugin answered"
	cases := []struct {
		name   string
		fall   []string // fallthrough zones; nil means no fallthrough
		opcode int
		qname  string
		qtype  uint16
		want   int
	}{
		{"outside the zone is refused", nil, dns.OpcodeQuery, "example.com.", dns.TypeTXT,
			dns.RcodeRefused},
		{"parent of the zone is refused", nil, dns.OpcodeQuery, "org.", dns.TypeSOA,
			dns.RcodeRefused},
		{"axfr is refused", nil, dns.OpcodeQuery, "example.org.", dns.TypeAXFR, dns.RcodeRefused},
		{"ixfr is refused", nil, dns.OpcodeQuery, "example.org.", dns.TypeIXFR, dns.RcodeRefused},
		{"notify is not implemented", nil, dns.OpcodeNotify, "example.org.", dns.TypeSOA,
			dns.RcodeNotImplemented},
		{"fallthrough outside the zone", []string{}, dns.OpcodeQuery, "example.com.",
			dns.TypeTXT, nextRcode},
		{"fallthrough on nxdomain", []string{}, dns.OpcodeQuery, "nobody.example.org.",
			dns.TypeTXT, nextRcode},
		{"fallthrough limited to other zones", []string{"example.com."}, dns.OpcodeQuery,
			"nobody.example.org.", dns.TypeTXT, dns.RcodeSuccess},
		{"no fallthrough on nodata", []string{}, dns.OpcodeQuery, "mb-0123456789ab.example.org.",
			dns.TypeTXT, dns.RcodeSuccess},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newTestDmp(t)
			d.Next = test.NextHandler(nextRcode, nil)
			if c.fall != nil {
				d.Fall.SetZonesFromArgs(c.fall)
			}
			m := new(dns.Msg)
			m.SetQuestion(c.qname, c.qtype)
			m.Opcode = c.opcode
			resp, rcode := serve(t, d, &test.ResponseWriter{}, m)
			if rcode != c.want {
				t.Errorf("got rcode %s, want %s",
					dns.RcodeToString[rcode], dns.RcodeToString[c.want])
			}
			if wrote := resp != nil; wrote != (c.want == dns.RcodeSuccess) {
				t.Errorf("got reply written %v for rcode %s", wrote, dns.RcodeToString[rcode])
			}
		})
	}
}

func TestServeStoreFailure(t *testing.T) {
	d := newTestDmp(t)
	fs := &failStore{Store: d.Store, err: store.ErrUnavailable}
	d.Store = fs
	q := test.Case{Qname: "multi.example.org.", Qtype: dns.TypeTXT}

	for i := range 3 {
		m := q.Msg()
		if i > 0 {
			m.SetEdns0(1232, false)
		}
		resp, _ := serve(t, d, &test.ResponseWriter{}, m)
		if resp == nil || resp.Rcode != dns.RcodeServerFailure {
			t.Fatalf("query %d: got %v, want a SERVFAIL reply", i, resp)
		}
		// RFC 8914 text only when the client sent EDNS.
		want := map[bool]string{false: "", true: storeUnavailable}[i > 0]
		if got := edeText(resp); got != want {
			t.Errorf("query %d: got EDE %q, want %q", i, got, want)
		}
	}
	if !d.health.down.Load() {
		t.Error("got store marked up after failures, want down")
	}
	if d.Ready() {
		t.Error("got Ready true with the store down, want false")
	}
	// Apex SOA needs no store and still answers.
	if resp, _ := serve(t, d, &test.ResponseWriter{},
		test.Case{Qname: "example.org.", Qtype: dns.TypeSOA}.Msg()); resp == nil {
		t.Error("got no SOA answer with the store down, want one")
	}
	// ...and, never asking the store, says nothing about its health: a
	// recovery here would log "available again" during the outage.
	if !d.health.down.Load() {
		t.Error("got store marked up by an apex answer, want still down")
	}

	fs.err = nil
	resp, _ := serve(t, d, &test.ResponseWriter{}, q.Msg())
	if resp == nil || len(resp.Answer) != 2 {
		t.Fatalf("got %v after recovery, want the two values", resp)
	}
	if d.health.down.Load() || !d.Ready() {
		t.Error("got store down after recovery, want up and ready")
	}
}

func TestServeRateLimit(t *testing.T) {
	d := newTestDmp(t)
	now := t0
	d.Now = func() time.Time { return now }
	d.limiter = newLimiter(1, 2)
	q := test.Case{Qname: "multi.example.org.", Qtype: dns.TypeTXT}

	answered := func(ip string) bool {
		resp, _ := serve(t, d, &test.ResponseWriter{RemoteIP: ip}, q.Msg())
		return resp != nil
	}
	got := []bool{answered("192.0.2.1"), answered("192.0.2.1"), answered("192.0.2.1"),
		answered("192.0.2.2")}
	want := []bool{true, true, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("query %d: got answered %v, want %v", i, got[i], want[i])
		}
	}
	now = now.Add(time.Second)
	if !answered("192.0.2.1") {
		t.Error("got dropped after one second's refill, want answered")
	}
}

func TestCacheBypassZones(t *testing.T) {
	d := New()
	d.Zones = []string{"example.org.", "example.net."}
	if got := d.CacheBypassZones(); strings.Join(got, ",") != "example.org.,example.net." {
		t.Errorf("got bypass %v by default, want both zones", got)
	}
	d.AllowCache = true
	if got := d.CacheBypassZones(); got != nil {
		t.Errorf("got bypass %v with caching allowed, want none", got)
	}
}
