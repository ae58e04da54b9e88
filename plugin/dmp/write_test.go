package dmp

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	clog "github.com/coredns/coredns/plugin/pkg/log"
	"github.com/coredns/coredns/plugin/test"
	"github.com/miekg/dns"
)

const (
	wZone   = "example.org."
	wKey    = "alice.example.org."
	wSecret = "YWxpY2Utc2VjcmV0LWFsaWNlLXNlY3JldC0xMjM0NTY="
)

var wSeed = sha256.Sum256([]byte("write test signer"))

// captureWriter records what the plugin wrote: a message or raw bytes.
type captureWriter struct {
	test.ResponseWriter
	msg  *dns.Msg
	wire []byte
}

func (w *captureWriter) WriteMsg(m *dns.Msg) error { w.msg = m; return nil }
func (w *captureWriter) Write(b []byte) (int, error) {
	w.wire = append([]byte(nil), b...)
	return len(b), nil
}

// reply returns the written reply, unpacked.
func (w *captureWriter) reply(t *testing.T) *dns.Msg {
	t.Helper()
	if w.msg != nil {
		return w.msg
	}
	m := new(dns.Msg)
	if err := m.Unpack(w.wire); err != nil {
		t.Fatalf("unpack reply: %v", err)
	}
	return m
}

// newWriteDmp returns a started dmp on a fresh embedded store with one
// key whose scope is the whole zone.
func newWriteDmp(t *testing.T) *Dmp {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "dmp.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := New()
	d.Zones = []string{wZone}
	d.Store = s
	d.Now = func() time.Time { return t0 }
	d.MaxPerOwner = 3
	key := store.Key{Name: wKey, Algorithm: dns.HmacSHA256, Secret: wSecret,
		Scope: []string{"example.org"}}
	if err := s.PutKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if err := d.write.start(d); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.write.stop() })
	return d
}

// signAs packs m with a TSIG RR of keyName (HMAC-SHA256, fudge 300 s)
// by secret at at, as a client sends it, and returns the wire and its MAC,
// which a signed reply is verified against. Every message these tests sign
// themselves goes through it, so their TSIGs differ only in key and time.
func signAs(t *testing.T, keyName, secret string, m *dns.Msg,
	at time.Time) (wire []byte, mac string) {
	t.Helper()
	m.SetTsig(keyName, dns.HmacSHA256, 300, at.Unix())
	wire, mac, err := dns.TsigGenerate(m, secret, "", false)
	if err != nil {
		t.Fatal(err)
	}
	return wire, mac
}

// signed packs m with a TSIG of wKey by secret at at and returns it
// unpacked, as the server would hand it to the plugin.
func signed(t *testing.T, m *dns.Msg, secret string, at time.Time) *dns.Msg {
	t.Helper()
	wire, _ := signAs(t, wKey, secret, m, at)
	out := new(dns.Msg)
	if err := out.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	return out
}

func txtAdd(owner string, values ...string) dns.RR {
	return &dns.TXT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT, Class: dns.ClassINET,
		Ttl: 300}, Txt: values}
}

func chunkValue(t *testing.T, b byte) string {
	t.Helper()
	data := make([]byte, records.ChunkSize)
	data[0] = b
	w, err := records.EncodeChunk(data)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func serveUpd(t *testing.T, d *Dmp, r *dns.Msg) *dns.Msg {
	t.Helper()
	w := &captureWriter{}
	if _, err := d.serveUpdate(context.Background(), w, r); err != nil {
		t.Fatal(err)
	}
	return w.reply(t)
}

func lookup(t *testing.T, d *Dmp, owner string) []string {
	t.Helper()
	vals, _, err := d.Store.Lookup(context.Background(), wZone, owner, t0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vals {
		out = append(out, v.Data)
	}
	return out
}

func TestUpdateSigned(t *testing.T) {
	d := newWriteDmp(t)
	owner := "chunk-0001-0123456789ab.example.org."
	m := new(dns.Msg)
	m.SetUpdate(wZone)
	m.Insert([]dns.RR{txtAdd(owner, chunkValue(t, 1))})
	req := signed(t, m, wSecret, t0)

	r := serveUpd(t, d, req)
	if r.Rcode != dns.RcodeSuccess {
		t.Fatalf("got %s, want NOERROR", dns.RcodeToString[r.Rcode])
	}
	if got := lookup(t, d, owner); len(got) != 1 || got[0] != chunkValue(t, 1) {
		t.Fatalf("stored %v", got)
	}
	if tsig := r.IsTsig(); tsig == nil || tsig.Error != 0 || tsig.MACSize != 32 {
		t.Fatalf("reply TSIG %v, want signed", tsig)
	}

	// The same bytes again are a replay: refused, still signed.
	r = serveUpd(t, d, req)
	if r.Rcode != dns.RcodeRefused || r.IsTsig() == nil {
		t.Fatalf("replay: got %s, signed %v", dns.RcodeToString[r.Rcode], r.IsTsig() != nil)
	}
}

func TestUpdateTSIGErrors(t *testing.T) {
	other := base64.StdEncoding.EncodeToString([]byte("some other secret, 32 bytes long"))
	cases := []struct {
		name   string
		secret string
		at     time.Time
		keyErr uint16
	}{
		{"wrong secret", other, t0, dns.RcodeBadSig},
		{"skewed clock", wSecret, t0.Add(-time.Hour), dns.RcodeBadTime},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newWriteDmp(t)
			owner := "chunk-0002-0123456789ab.example.org."
			m := new(dns.Msg)
			m.SetUpdate(wZone)
			m.Insert([]dns.RR{txtAdd(owner, chunkValue(t, 2))})
			r := serveUpd(t, d, signed(t, m, c.secret, c.at))
			tsig := r.IsTsig()
			if r.Rcode != dns.RcodeNotAuth || tsig == nil || tsig.Error != c.keyErr {
				t.Fatalf("got %s with TSIG %v, want NOTAUTH/%d", dns.RcodeToString[r.Rcode],
					tsig, c.keyErr)
			}
			if got := lookup(t, d, owner); len(got) != 0 {
				t.Fatalf("stored %v, want nothing", got)
			}
		})
	}
}

// TestUpdateAtomic checks a multi-record UPDATE with one bad record, or
// one that breaks a cap in the store, leaves the store unchanged.
func TestUpdateAtomic(t *testing.T) {
	owner := "chunk-0003-0123456789ab.example.org."
	cases := []struct {
		name  string
		rrs   []dns.RR
		rcode int
	}{
		{"one forged value", []dns.RR{txtAdd(owner, chunkValue(t, 1)),
			txtAdd("slot-1.mb-0123456789ab.example.org.", "v=dmp1;t=manifest;d=AAAA")},
			dns.RcodeRefused},
		{"owner cap in the store", []dns.RR{txtAdd(owner, chunkValue(t, 1)),
			txtAdd(owner, chunkValue(t, 2)), txtAdd(owner, chunkValue(t, 3)),
			txtAdd("chunk-0004-0123456789ab.example.org.", chunkValue(t, 4))},
			dns.RcodeRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newWriteDmp(t)
			pre := store.Update{Zone: wZone, Changes: []store.Change{
				add(owner, chunkValue(t, 9), time.Hour)}}
			if err := d.Store.Apply(context.Background(), pre, t0); err != nil {
				t.Fatal(err)
			}
			m := new(dns.Msg)
			m.SetUpdate(wZone)
			m.Insert(c.rrs)
			r := serveUpd(t, d, signed(t, m, wSecret, t0))
			if r.Rcode != c.rcode {
				t.Fatalf("got %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[c.rcode])
			}
			if got := lookup(t, d, owner); len(got) != 1 || got[0] != chunkValue(t, 9) {
				t.Fatalf("store changed: %v", got)
			}
			if got := lookup(t, d, "chunk-0004-0123456789ab.example.org."); len(got) != 0 {
				t.Fatalf("store changed: %v", got)
			}
		})
	}
}

func claimFor(t *testing.T, slot uint8) (string, string) {
	t.Helper()
	return claimTo(t, slot, "recipient")
}

// claimTo returns the owner name and record of a claim at slot in the
// mailbox of the recipient whose identity hashes from recipient.
func claimTo(t *testing.T, slot uint8, recipient string) (string, string) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(wSeed[:])
	c := records.Claim{Domain: "sender.example", Slot: slot, TS: uint64(t0.Unix()),
		Exp: uint64(t0.Unix() + 3600)}
	copy(c.SenderSPK[:], priv.Public().(ed25519.PublicKey))
	wire, err := c.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	rid := sha256.Sum256([]byte(recipient))
	return names.Claim(int(slot), rid[:], "example.org") + ".", wire
}

func TestUpdateAnonymousClaim(t *testing.T) {
	d := newWriteDmp(t)
	d.write.claimTo = rateOpt{N: 1, Window: time.Minute}
	owner, wire := claimFor(t, 2)

	m := new(dns.Msg)
	m.SetUpdate(wZone)
	m.Insert([]dns.RR{txtAdd(owner, wire)})
	m.SetEdns0(1232, false)
	if r := serveUpd(t, d, m); r.Rcode != dns.RcodeSuccess || r.IsTsig() != nil {
		t.Fatalf("claim: got %s", dns.RcodeToString[r.Rcode])
	}
	if got := lookup(t, d, owner); len(got) != 1 {
		t.Fatalf("stored %v, want the claim", got)
	}

	// A second claim to the same mailbox is over its rate.
	r := serveUpd(t, d, m)
	if r.Rcode != dns.RcodeRefused || !strings.Contains(edeText(r), "rate limit") {
		t.Fatalf("second claim: got %s %q", dns.RcodeToString[r.Rcode], edeText(r))
	}

	wrong := strings.Replace(owner, "claim-2", "claim-3", 1)
	m.Ns = []dns.RR{txtAdd(wrong, wire)}
	r = serveUpd(t, d, m)
	if r.Rcode != dns.RcodeRefused || !strings.Contains(edeText(r), "slot") {
		t.Fatalf("wrong slot: got %s %q", dns.RcodeToString[r.Rcode], edeText(r))
	}
	if got := lookup(t, d, wrong); len(got) != 0 {
		t.Fatalf("stored %v at the wrong slot", got)
	}
}

// TestUpdateClaimSourceLimit checks the per-source claim limit (the
// claim-ip bucket): with a limit of one, a second claim from the same
// address is refused even to another mailbox, and is not stored.
func TestUpdateClaimSourceLimit(t *testing.T) {
	d := newWriteDmp(t)
	d.write.claimIP = rateOpt{N: 1, Window: time.Minute}
	send := func(recipient string) (*dns.Msg, string) {
		owner, wire := claimTo(t, 2, recipient)
		m := new(dns.Msg)
		m.SetUpdate(wZone)
		m.Insert([]dns.RR{txtAdd(owner, wire)})
		m.SetEdns0(1232, false)
		return serveUpd(t, d, m), owner
	}

	if r, owner := send("first recipient"); r.Rcode != dns.RcodeSuccess ||
		len(lookup(t, d, owner)) != 1 {
		t.Fatalf("first claim: got %s, stored %v", dns.RcodeToString[r.Rcode],
			lookup(t, d, owner))
	}
	r, owner := send("second recipient")
	const want = "rate limit: too many claims from this address"
	if r.Rcode != dns.RcodeRefused || edeText(r) != want {
		t.Fatalf("second claim: got %s %q, want REFUSED %q", dns.RcodeToString[r.Rcode],
			edeText(r), want)
	}
	if got := lookup(t, d, owner); len(got) != 0 {
		t.Fatalf("stored %v for the refused claim, want nothing", got)
	}
}

func edeText(m *dns.Msg) string {
	opt := m.IsEdns0()
	if opt == nil {
		return ""
	}
	for _, o := range opt.Option {
		if e, ok := o.(*dns.EDNS0_EDE); ok {
			return e.ExtraText
		}
	}
	return ""
}

// seenDown is a store whose TSIG replay cache fails.
type seenDown struct{ store.Store }

func (seenDown) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("replay cache down")
}

// TestUpdateReplayCacheDown checks a verified UPDATE whose replay check
// cannot reach the store gets a SERVFAIL signed with the key (N5: every
// response to a verified request is signed) and stores nothing.
func TestUpdateReplayCacheDown(t *testing.T) {
	d := newWriteDmp(t)
	now := time.Now() // miekg/dns checks the reply against the real clock
	d.Now = func() time.Time { return now }
	d.write.verifier.Keys = seenDown{d.Store}
	owner := "chunk-0005-0123456789ab.example.org."
	m := new(dns.Msg)
	m.SetUpdate(wZone)
	m.Insert([]dns.RR{txtAdd(owner, chunkValue(t, 5))})
	req := signed(t, m, wSecret, now)

	w := &captureWriter{}
	if _, err := d.serveUpdate(context.Background(), w, req); err != nil {
		t.Fatal(err)
	}
	if w.wire == nil {
		t.Fatalf("reply written unsigned: %v", w.msg)
	}
	if err := dns.TsigVerify(w.wire, wSecret, req.IsTsig().MAC, false); err != nil {
		t.Fatalf("reply does not verify with the key: %v", err)
	}
	if r := w.reply(t); r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("got %s, want SERVFAIL", dns.RcodeToString[r.Rcode])
	}
	if got := lookup(t, d, owner); len(got) != 0 {
		t.Fatalf("stored %v, want nothing", got)
	}
}

// outageStore fails the write calls of an UPDATE while err is set.
type outageStore struct {
	store.Store
	err error
}

func (o *outageStore) Apply(ctx context.Context, u store.Update, now time.Time) error {
	if o.err != nil {
		return o.err
	}
	return o.Store.Apply(ctx, u, now)
}

func (o *outageStore) Allow(ctx context.Context, bucket string, n int, window time.Duration,
	now time.Time) (bool, error) {
	if o.err != nil {
		return false, o.err
	}
	return o.Store.Allow(ctx, bucket, n, window, now)
}

// TestUpdateStoreOutage checks that each of the UPDATE path's store
// failures (apply, claim rate limit, replay cache) goes to the health
// bookkeeping on its own: the UPDATE gets SERVFAIL, the store is marked
// down and the outage logged once however many UPDATEs fail, and the
// first UPDATE the store answers again logs the recovery.
func TestUpdateStoreOutage(t *testing.T) {
	owner := "chunk-0006-0123456789ab.example.org."
	upd := func(t *testing.T) *dns.Msg {
		m := new(dns.Msg)
		m.SetUpdate(wZone)
		m.Insert([]dns.RR{txtAdd(owner, chunkValue(t, 6))})
		return signed(t, m, wSecret, t0)
	}
	claim := func(t *testing.T) *dns.Msg {
		claimOwner, claimWire := claimFor(t, 2)
		m := new(dns.Msg)
		m.SetUpdate(wZone)
		m.Insert([]dns.RR{txtAdd(claimOwner, claimWire)})
		return m
	}
	// Each case breaks one store call, with an UPDATE that reaches it.
	cases := []struct {
		name string
		msg  func(*testing.T) *dns.Msg
		fail func(*Dmp, *outageStore)
	}{
		{"apply", upd, func(_ *Dmp, out *outageStore) { out.err = store.ErrUnavailable }},
		{"claim rate limit", claim,
			func(_ *Dmp, out *outageStore) { out.err = store.ErrUnavailable }},
		{"replay cache", upd, func(d *Dmp, _ *outageStore) {
			d.write.verifier.Keys = seenDown{d.Store}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			clog.SetOutput(&logs)
			t.Cleanup(clog.Discard)
			d := newWriteDmp(t)
			out := &outageStore{Store: d.Store}
			d.Store, d.write.st = out, out
			tc.fail(d, out)

			for i := range 2 {
				if r := serveUpd(t, d, tc.msg(t)); r.Rcode != dns.RcodeServerFailure {
					t.Fatalf("update %d: got %s, want SERVFAIL", i, dns.RcodeToString[r.Rcode])
				}
			}
			if n := strings.Count(logs.String(), "[ERROR]"); n != 1 || !d.health.down.Load() {
				t.Fatalf("logged the outage %d times, down %v; want once, down:\n%s", n,
					d.health.down.Load(), logs.String())
			}

			out.err = nil
			d.write.verifier.Keys = d.Store
			if r := serveUpd(t, d, upd(t)); r.Rcode != dns.RcodeSuccess {
				t.Fatalf("after recovery: got %s, want NOERROR", dns.RcodeToString[r.Rcode])
			}
			if d.health.down.Load() || !strings.Contains(logs.String(), "store available again") {
				t.Fatalf("down %v after a stored UPDATE; logs:\n%s", d.health.down.Load(),
					logs.String())
			}
		})
	}
}
