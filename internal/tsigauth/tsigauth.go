package tsigauth

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// DefaultFudge is the largest clock skew accepted when the Verifier sets
// none; a request may ask for less.
const DefaultFudge = 300 * time.Second

// DefaultMinMACSize is the local truncation policy when the Verifier sets
// none: a truncated MAC shorter than 16 bytes (128 bits, the length of
// hmac-sha256-128) gets BADTRUNC. A MAC of its hash's full length is
// always accepted.
const DefaultMinMACSize = 16

// Errors Verify returns besides store failures.
var (
	// ErrFormat reports a TSIG record that is not the last record of the
	// message, or more than one TSIG record (RFC 8945 §5.1: FORMERR).
	ErrFormat = errors.New("tsig: malformed or misplaced TSIG record")
	// ErrReplay reports a request whose MAC verified but was seen before
	// within the fudge window.
	ErrReplay = errors.New("tsig: replayed MAC")
)

// KeyStore is the part of the node's store the verifier uses.
type KeyStore interface {
	GetKey(ctx context.Context, name string) (store.Key, error)
	FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error)
}

// Verifier checks the TSIG of requests against keys in a KeyStore.
type Verifier struct {
	Keys     KeyStore
	MaxFudge time.Duration // 0 means DefaultFudge

	// MinMACSize is the shortest truncated MAC accepted, in bytes (RFC
	// 8945 §5.2.4 local policy); 0 means DefaultMinMACSize. It never
	// refuses an untruncated MAC.
	MinMACSize int
}

// Signed is the outcome of verifying a signed request.
type Signed struct {
	TSIG  *dns.TSIG // the request's TSIG record
	Key   store.Key // the key, set when Error is 0 or BADTIME
	Error uint16    // 0, dns.RcodeBadKey, dns.RcodeBadSig, dns.RcodeBadTime or BADTRUNC
}

// Verify checks m's TSIG record at time now, in the order of RFC 8945
// §5.2: key, MAC, time, truncation, then refuses a MAC seen before within
// the fudge window. It returns nil, nil for an unsigned message. A key,
// MAC, time or truncation failure is reported in Signed.Error with a nil
// error; ErrFormat (also for a MAC size §5.2.2.1 forbids), ErrReplay and
// store errors are returned as errors. ErrReplay and a failure of the
// replay cache come after the MAC verified, so they come with a valid
// Signed and the reply can still be signed (RFC 8945 §5.3); the other
// errors come with a nil Signed.
func (v *Verifier) Verify(ctx context.Context, m *dns.Msg, now time.Time) (*Signed, error) {
	s, err := v.Authenticate(ctx, m, now)
	if s == nil || err != nil || s.Error != 0 {
		return s, err
	}

	fudge := v.fudge(s.TSIG)
	first, err := v.Keys.FirstSeen(ctx, "tsig:"+s.TSIG.MAC, 2*fudge+time.Second)
	if err != nil {
		// The MAC verified, so the caller must still sign its reply.
		return s, fmt.Errorf("tsig replay cache: %w", err)
	}
	if !first {
		return s, ErrReplay
	}
	return s, nil
}

// Authenticate is Verify without the replay cache, for requests that
// change nothing, such as queries: RFC 8945 §5.2 asks no replay check, and
// skipping it saves a store write per signed query. It makes one store
// call, the key lookup, and none for an unsigned message.
func (v *Verifier) Authenticate(ctx context.Context, m *dns.Msg,
	now time.Time) (*Signed, error) {
	t, err := findTSIG(m)
	if t == nil || err != nil {
		return nil, err
	}
	s := &Signed{TSIG: t}

	key, ok, err := v.lookup(ctx, t, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.Error = dns.RcodeBadKey
		return s, nil
	}
	s.Key = key

	full, err := checkMACSize(t)
	if err != nil {
		return nil, err
	}
	if !macMatches(m, t, key) {
		s.Error = dns.RcodeBadSig
		s.Key = store.Key{}
		return s, nil
	}

	if !inWindow(t.TimeSigned, now, v.fudge(t)) {
		s.Error = dns.RcodeBadTime
		return s, nil
	}
	if !full && len(t.MAC)/2 < v.minMACSize() {
		s.Error = dns.RcodeBadTrunc
	}
	return s, nil
}

// HasTSIG reports whether m carries a TSIG record in any section, without
// a store call: a request without one is unsigned, whatever else it holds.
func HasTSIG(m *dns.Msg) bool {
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			if rr.Header().Rrtype == dns.TypeTSIG {
				return true
			}
		}
	}
	return false
}

// findTSIG returns m's TSIG record, which must be the only one and the
// last record of the additional section.
func findTSIG(m *dns.Msg) (*dns.TSIG, error) {
	count := 0
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			if rr.Header().Rrtype == dns.TypeTSIG {
				count++
			}
		}
	}
	if count == 0 {
		return nil, nil
	}
	t, ok := lastTSIG(m)
	if count > 1 || !ok {
		return nil, ErrFormat
	}
	return t, nil
}

func lastTSIG(m *dns.Msg) (*dns.TSIG, bool) {
	if len(m.Extra) == 0 {
		return nil, false
	}
	t, ok := m.Extra[len(m.Extra)-1].(*dns.TSIG)
	return t, ok
}

// lookup returns the live key named by t whose algorithm is t's, or the
// base of t's truncated algorithm name.
func (v *Verifier) lookup(ctx context.Context, t *dns.TSIG,
	now time.Time) (store.Key, bool, error) {
	alg, ok := algorithmFor(t.Algorithm)
	if !ok {
		return store.Key{}, false, nil
	}
	key, err := v.Keys.GetKey(ctx, dns.CanonicalName(t.Hdr.Name))
	if errors.Is(err, store.ErrNotFound) {
		return store.Key{}, false, nil
	}
	if err != nil {
		return store.Key{}, false, fmt.Errorf("tsig key lookup: %w", err)
	}
	if !key.Expires.IsZero() && !now.Before(key.Expires) {
		return store.Key{}, false, nil
	}
	if dns.CanonicalName(key.Algorithm) != alg.base {
		return store.Key{}, false, nil
	}
	return key, true, nil
}

func (v *Verifier) minMACSize() int {
	if v.MinMACSize <= 0 {
		return DefaultMinMACSize
	}
	return v.MinMACSize
}

// checkMACSize applies RFC 8945 §5.2.2.1 to t's MAC size: longer than the
// hash (or than a truncated name states), or shorter than both 10 bytes
// and half the hash, is FORMERR, so a truncated name's MAC is exactly the
// stated size. It reports whether the MAC is of the hash's full length;
// a truncated name's never is, so the MinMACSize policy applies to it.
func checkMACSize(t *dns.TSIG) (bool, error) {
	alg, _ := algorithmFor(t.Algorithm) // lookup admitted only known ones
	hashLen, maxLen := alg.hashSize(), alg.macSize()
	size := len(t.MAC) / 2
	if len(t.MAC)%2 != 0 || int(t.MACSize) != size {
		return false, fmt.Errorf("%w: MAC size %d does not match its data", ErrFormat,
			t.MACSize)
	}
	if size > maxLen || size < max(10, hashLen/2) {
		return false, fmt.Errorf("%w: MAC size %d outside %d..%d", ErrFormat, size,
			max(10, hashLen/2), maxLen)
	}
	return size == hashLen, nil
}

func (v *Verifier) fudge(t *dns.TSIG) time.Duration {
	limit := v.MaxFudge
	if limit <= 0 {
		limit = DefaultFudge
	}
	asked := time.Duration(t.Fudge) * time.Second
	return min(asked, limit)
}

func inWindow(signed uint64, now time.Time, fudge time.Duration) bool {
	n := now.Unix()
	if n < 0 || signed > 1<<48 {
		return false
	}
	diff := n - int64(signed)
	if diff < 0 {
		diff = -diff
	}
	return time.Duration(diff)*time.Second <= fudge
}

// macMatches packs m without its TSIG record, with compression on and then
// off, and reports whether either packing carries t's MAC under key. A
// truncated MAC is compared with the leading bytes of the computed one
// (RFC 8945 §5.2.2.1); checkMACSize has bounded its length.
func macMatches(m *dns.Msg, t *dns.TSIG, key store.Key) bool {
	secret, err := base64.StdEncoding.DecodeString(key.Secret)
	if err != nil {
		return false
	}
	got, err := hex.DecodeString(t.MAC)
	if err != nil || len(got) == 0 {
		return false
	}
	for _, compress := range []bool{true, false} {
		body, err := packStripped(m, t, compress)
		if err != nil {
			return false
		}
		want, err := computeMAC(t.Algorithm, secret, nil, body, t)
		if err == nil && len(got) <= len(want) && hmac.Equal(got, want[:len(got)]) {
			return true
		}
	}
	return false
}

// packStripped packs a copy of m without its TSIG record and with the
// original ID the TSIG carries.
func packStripped(m *dns.Msg, t *dns.TSIG, compress bool) ([]byte, error) {
	c := *m
	c.Answer = keepEmpty(m.Answer)
	c.Ns = keepEmpty(m.Ns)
	c.Extra = keepEmpty(m.Extra[:len(m.Extra)-1])
	c.Id = t.OrigId
	c.Compress = compress
	return c.Pack()
}

// keepEmpty returns rrs with every record that arrived with no rdata
// (RDLENGTH 0, as RFC 2136 §2.4.1 and §2.5.2 require of prerequisites and
// RRset deletes) replaced by one that packs to no rdata again. miekg/dns
// unpacks such a record into its type's struct with zero fields, and
// packing an MX, SRV, SOA, CAA or DS that way writes fields the sender
// never sent, so the MAC would not match. The OPT record is kept: its
// rdata packs from its options, and the packer looks for it by type.
func keepEmpty(rrs []dns.RR) []dns.RR {
	var out []dns.RR
	for i, rr := range rrs {
		h := rr.Header()
		if h.Rdlength != 0 || h.Rrtype == dns.TypeOPT {
			continue
		}
		if out == nil {
			out = append([]dns.RR(nil), rrs...)
		}
		out[i] = &dns.RFC3597{Hdr: *h}
	}
	if out == nil {
		return rrs
	}
	return out
}
