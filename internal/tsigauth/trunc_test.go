package tsigauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// truncated returns an UPDATE signed with alg whose MAC is cut to size
// bytes; with flip set, its last kept byte is altered.
func truncated(t *testing.T, alg string, size int, flip bool, now time.Time) *dns.Msg {
	t.Helper()
	m := signedUpdate(t, alg, "k.mesh.example.", testSecret, now)
	ts := m.IsTsig()
	if 2*size > len(ts.MAC) {
		ts.MAC += "00" // one byte more than the hash gives
	} else {
		ts.MAC = ts.MAC[:2*size]
	}
	if flip {
		last := ts.MAC[len(ts.MAC)-1]
		ts.MAC = ts.MAC[:len(ts.MAC)-1] + map[bool]string{true: "1", false: "0"}[last == '0']
	}
	ts.MACSize = uint16(len(ts.MAC) / 2)
	return m
}

// TestTruncatedMAC checks RFC 8945 §5.2.2.1 and §5.2.4: truncations down
// to the larger of 10 bytes and half the hash verify on their leading
// bytes, shorter or longer MACs are FORMERR, and truncations the RFC
// allows but the local policy (16 bytes) does not get BADTRUNC.
func TestTruncatedMAC(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	cases := []struct {
		name    string
		alg     string
		size    int
		flip    bool
		want    uint16
		wantErr error
	}{
		{"sha256 full", dns.HmacSHA256, 32, false, 0, nil},
		{"sha256 to 16", dns.HmacSHA256, 16, false, 0, nil},
		{"sha256 to 24", dns.HmacSHA256, 24, false, 0, nil},
		{"sha256 to 16 altered", dns.HmacSHA256, 16, true, dns.RcodeBadSig, nil},
		{"sha256 to 15", dns.HmacSHA256, 15, false, 0, ErrFormat},
		{"sha256 to 10", dns.HmacSHA256, 10, false, 0, ErrFormat},
		{"sha256 longer", dns.HmacSHA256, 33, false, 0, ErrFormat},
		{"sha512 to 32", dns.HmacSHA512, 32, false, 0, nil},
		{"sha512 to 31", dns.HmacSHA512, 31, false, 0, ErrFormat},
		{"sha384 to 24", dns.HmacSHA384, 24, false, 0, nil},
		{"sha1 full", dns.HmacSHA1, 20, false, 0, nil},
		{"sha1 to 16", dns.HmacSHA1, 16, false, 0, nil},
		{"sha1 to 10", dns.HmacSHA1, 10, false, dns.RcodeBadTrunc, nil},
		{"sha1 to 12 altered", dns.HmacSHA1, 12, true, dns.RcodeBadSig, nil},
		{"sha1 to 9", dns.HmacSHA1, 9, false, 0, ErrFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := store.Key{Name: "k.mesh.example.", Algorithm: c.alg, Secret: testSecret}
			v := &Verifier{Keys: newMemKeys(key)}
			s, err := v.Verify(context.Background(), truncated(t, c.alg, c.size, c.flip, now), now)
			if !errors.Is(err, c.wantErr) || (err == nil && s.Error != c.want) {
				t.Fatalf("got %+v, %v; want error code %d, %v", s, err, c.want, c.wantErr)
			}
		})
	}
}

// TestTruncationPolicy checks the local policy is configurable and that a
// BADTRUNC reply is signed with a full-length MAC.
func TestTruncationPolicy(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	strict := &Verifier{Keys: newMemKeys(key), MinMACSize: 32}
	s, err := strict.Verify(context.Background(), truncated(t, dns.HmacSHA256, 16, false, now),
		now)
	if err != nil || s.Error != dns.RcodeBadTrunc {
		t.Fatalf("got %+v, %v; want BADTRUNC", s, err)
	}
	reply := new(dns.Msg)
	reply.SetRcode(new(dns.Msg).SetUpdate("mesh.example."), dns.RcodeNotAuth)
	wire, err := Sign(reply, s, now)
	if err != nil {
		t.Fatal(err)
	}
	got := new(dns.Msg)
	if err := got.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	gt := got.IsTsig()
	if gt == nil || gt.Error != dns.RcodeBadTrunc || gt.MACSize != 32 {
		t.Fatalf("got reply TSIG %v, want BADTRUNC with a 32-byte MAC", gt)
	}
}
