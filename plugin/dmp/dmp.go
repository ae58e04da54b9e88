// Package dmp is a CoreDNS plugin that serves DNS Mesh Protocol zones: the
// TXT records DMP clients publish, read from Redis or an embedded bbolt
// file, with a synthesized apex (SOA, NS, optional A/AAAA).
//
// The read side follows records-server-cli.md §B.3 and §E with the node
// decisions N2, N3, N12 and N14 of DECISIONS.md: answers are authoritative,
// owner names match case-insensitively and echo the question's case, empty
// non-terminals and the apex answer NODATA, and the answer TTL never
// outlives a value's stored lifetime. The write side (RFC 2136 UPDATE with
// TSIG, registration, key administration) lives in the write*.go files.
package dmp

import (
	"context"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/tsigauth"

	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/cache"
	"github.com/coredns/coredns/plugin/metrics"
	"github.com/coredns/coredns/plugin/pkg/fall"
	"github.com/coredns/coredns/plugin/ready"
	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
)

// Dmp is a handler, and the interfaces CoreDNS's cache and ready plugins
// look for at startup: were a method to drift, they would skip dmp
// silently, caching its zones or ignoring the store's health.
var (
	_ plugin.Handler     = (*Dmp)(nil)
	_ cache.ZoneBypasser = (*Dmp)(nil)
	_ ready.Readiness    = (*Dmp)(nil)
)

// storeTimeout bounds one store call made while answering a query.
const storeTimeout = 2 * time.Second

// Dmp is the dmp plugin: one instance per server block.
type Dmp struct {
	Next  plugin.Handler
	Zones []string // served zones, lower-case and fully qualified
	Fall  fall.F   // names that go to the next plugin instead of REFUSED/NXDOMAIN

	// Store is read by every query and UPDATE. OnStartup sets it to a
	// swapStore, and a failed reload swaps the store inside that.
	Store store.Store
	Now   func() time.Time // the clock; tests pin it

	// TTL is the answer TTL; an RRset whose shortest-lived value expires
	// sooner gets its remaining lifetime instead (DECISIONS N12).
	TTL  time.Duration
	Apex Apex // synthesized apex records

	// Write caps, parsed here and enforced by the write side: the longest
	// joined TXT value in bytes, the most live values one owner name may
	// hold, the most bytes its TXT RRset may take in an answer (so that
	// it fits one TCP message whole), and the longest lifetime an UPDATE
	// may ask for.
	MaxValueLen   int
	MaxPerOwner   int
	MaxOwnerBytes int
	MaxTTL        time.Duration

	// Where max_value_len and max_owner_bytes were set, line 0 when left
	// at their defaults, for checkOwnerBytes' errors.
	valueLenAt, ownerBytesAt optionPos

	// AllowCache lets CoreDNS's cache plugin cache dmp answers; by default
	// dmp zones bypass it so a write is readable at once (DECISIONS N14).
	AllowCache bool

	limiter *limiter                    // per-client query rate limit; nil when off
	open    func() (store.Store, error) // opens Store; chosen by parse
	source  string                      // which store open opens, for logs
	// exclusive is set for the embedded store, which one process may
	// hold open at a time.
	exclusive bool
	released  bool       // the store was closed, for a reload or shutdown
	stores    *swapStore // Store once started
	health    storeHealth
	maint     *maintainer
	write     writeSide
}

// New returns a Dmp with the defaults of the Corefile options.
func New() *Dmp {
	return &Dmp{
		Now:           time.Now,
		TTL:           defaultTTL,
		Apex:          Apex{Refresh: 3600, Retry: 600, Expire: 604800},
		MaxValueLen:   defaultMaxValueLen,
		MaxPerOwner:   defaultMaxPerOwner,
		MaxOwnerBytes: defaultMaxOwnerBytes,
		MaxTTL:        defaultMaxTTL,
	}
}

// Name implements the plugin.Handler interface.
func (d *Dmp) Name() string { return "dmp" }

// CacheBypassZones implements cache.ZoneBypasser: CoreDNS's cache plugin
// asks it at startup which zones it must never answer from its cache.
func (d *Dmp) CacheBypassZones() []string {
	if d.AllowCache {
		return nil
	}
	return d.Zones
}

// ServeDNS implements the plugin.Handler interface.
func (d *Dmp) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	if manyOPT(r) {
		writeFormErr(w, r)
		return dns.RcodeSuccess, nil
	}
	if r.Opcode == dns.OpcodeUpdate {
		if cutUDPUpdate(w, r) {
			retryOverTCP(ctx, w, r)
			return dns.RcodeSuccess, nil
		}
		return d.serveUpdate(ctx, w, r)
	}
	if r.Opcode != dns.OpcodeQuery {
		return dns.RcodeNotImplemented, nil
	}
	return d.serveQuery(ctx, w, r)
}

// serveQuery answers a query: refused outside our zones (or passed on with
// fallthrough), dropped over the rate limit, NOTAUTH for a TSIG that does
// not verify, refused for zone transfers, else answered from the store;
// the answer to a verified query is signed (query_tsig.go).
func (d *Dmp) serveQuery(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	state := request.Request{W: w, Req: r}
	qname, qtype := state.Name(), state.QType()
	server := metrics.WithServer(ctx)
	zone := plugin.Zones(d.Zones).Matches(qname)
	if zone == "" {
		if d.Fall.Through(qname) {
			return plugin.NextOrFailure(d.Name(), d.Next, ctx, w, r)
		}
		countQuery(server, qtype, resultRefused)
		return dns.RcodeRefused, nil
	}

	if d.limiter != nil && !d.limiter.allow(state.IP(), d.Now()) {
		// Dropped like the reference node does, so a spoofed source
		// cannot use us to reflect traffic.
		countQuery(server, qtype, resultDropped)
		return dns.RcodeSuccess, nil
	}
	s, ok := d.queryTSIG(ctx, state, server)
	if !ok {
		return dns.RcodeSuccess, nil
	}
	if qtype == dns.TypeAXFR || qtype == dns.TypeIXFR {
		countQuery(server, qtype, resultRefused)
		return d.refuse(state, s)
	}

	a, err := d.answer(ctx, zone, state)
	if err != nil {
		countQuery(server, qtype, resultServfail)
		d.writeAnswer(state, servfailMsg(r), s)
		return dns.RcodeSuccess, nil
	}
	if a.rcode == dns.RcodeNameError && d.Fall.Through(qname) {
		return plugin.NextOrFailure(d.Name(), d.Next, ctx, w, r)
	}

	m := new(dns.Msg)
	m.SetRcode(r, a.rcode)
	m.Authoritative = true
	m.Answer, m.Ns = a.answer, a.ns
	d.writeAnswer(state, m, s)
	countQuery(server, qtype, a.result())
	return dns.RcodeSuccess, nil
}

// refuse answers REFUSED: through the server for an unsigned query, and
// signed here for a verified one.
func (d *Dmp) refuse(state request.Request, s *tsigauth.Signed) (int, error) {
	if s == nil {
		return dns.RcodeRefused, nil
	}
	m := new(dns.Msg)
	m.SetRcode(state.Req, dns.RcodeRefused)
	d.writeAnswer(state, m, s)
	return dns.RcodeSuccess, nil
}
