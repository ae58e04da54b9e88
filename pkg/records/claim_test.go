package records

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// TestClaimMessagePath parses the claim the reference client published for
// message 1, checks its body, binds it to its owner name and signs it again.
func TestClaimMessagePath(t *testing.T) {
	f := loadMP(t)
	alice := identityFromSeed(t, f.Identities[1].X25519Priv)
	vc := f.Claims[0]
	now := time.Unix(f.FixedNow, 0)
	if !vc.ParseOKAtNow {
		t.Fatal("vector claim is not meant to parse at fixed_now")
	}

	c, err := ParseClaimAt(vc.Owner, vc.Wire, now)
	if err != nil {
		t.Fatal(err)
	}
	body, err := c.Body()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(body); got != vc.BodyHex {
		t.Fatalf("body: got %s, want %s", got, vc.BodyHex)
	}
	if c.Domain != "mesh.example" || c.Slot != 8 || hex.EncodeToString(c.MsgID[:]) !=
		f.Messages[0].MsgID || string(c.SenderSPK[:]) != string(alice.Ed25519Public) {
		t.Fatalf("fields: got %+v", c)
	}

	c.Signature = nil
	got, err := c.Sign(alice.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if got != vc.Wire {
		t.Fatalf("sign: got %q, want %q", got, vc.Wire)
	}
}

func TestClaimOwnerBinding(t *testing.T) {
	f := loadMP(t)
	vc := f.Claims[0]
	now := time.Unix(f.FixedNow, 0)
	tests := []struct {
		owner string
		ok    bool
	}{
		{vc.Owner, true},
		{strings.ToUpper(vc.Owner) + ".", true},
		{strings.Replace(vc.Owner, "claim-8", "claim-3", 1), false},
		{strings.Replace(vc.Owner, "claim-8", "claim-18", 1), false},
		{strings.Replace(vc.Owner, "claim-8", "slot-8", 1), false},
		{strings.Replace(vc.Owner, "mb-66446940f5ce", "mb-66446940f5c", 1), false},
		{strings.Replace(vc.Owner, "mb-66446940f5ce", "mb-66446940f5cz", 1), false},
		{"claim-8.mb-66446940f5ce", false},
		{"claim-8.mb-66446940f5ce.", false},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			_, err := ParseClaimAt(tt.owner, vc.Wire, now)
			if (err == nil) != tt.ok {
				t.Fatalf("error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func newClaim(domain string, slot uint8, ts, exp uint64) *Claim {
	c := &Claim{Domain: domain, Slot: slot, TS: ts, Exp: exp}
	copy(c.MsgID[:], "0123456789abcdef")
	return c
}

func TestClaimChecks(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("77", 32))
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name string
		c    *Claim
		sign bool
		ok   bool // parses at now
	}{
		{"typical", newClaim("mesh.example", 0, 1_000_000, 1_003_600), true, true},
		{"43-byte domain", newClaim(strings.Repeat("d", 43), 9, 1, 1_000_001), true, true},
		{"44-byte domain", newClaim(strings.Repeat("d", 44), 0, 1, 2), false, false},
		{"empty domain", newClaim("", 0, 1, 2), false, false},
		{"space in domain", newClaim("a b", 0, 1, 2), false, false},
		{"DEL in domain", newClaim("a\x7f", 0, 1, 2), false, false},
		{"non-ASCII domain", newClaim("bücher.example", 0, 1, 2), false, false},
		{"slot 10", newClaim("d", 10, 1, 2), false, false},
		{"exp equals ts", newClaim("d", 0, 5, 5), false, false},
		{"exp at 2^63", newClaim("d", 0, 5, 1<<63), false, false},
		{"ts 300 s ahead", newClaim("d", 0, 1_000_300, 1_003_600), true, true},
		{"ts 301 s ahead", newClaim("d", 0, 1_000_301, 1_003_600), true, false},
		{"exp is now", newClaim("d", 0, 1, 1_000_000), true, false},
		{"exp 30 days ahead", newClaim("d", 0, 1, 1_000_000+MaxFuture), true, true},
		{"exp 30 days and 1 s", newClaim("d", 0, 1, 1_000_001+MaxFuture), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copy(tt.c.SenderSPK[:], id.Ed25519Public)
			wire, err := tt.c.Sign(id.Ed25519)
			if (err == nil) != tt.sign {
				t.Fatalf("sign error = %v, want ok=%v", err, tt.sign)
			}
			if err != nil {
				return
			}
			if len(wire) > MaxClaimWire {
				t.Fatalf("wire is %d bytes", len(wire))
			}
			_, err = ParseClaim(wire, now)
			if (err == nil) != tt.ok {
				t.Fatalf("parse error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestClaimRawBodies feeds signed bodies that Sign would never make.
func TestClaimRawBodies(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("88", 32))
	c := newClaim("mesh.example", 1, 10, 20)
	copy(c.SenderSPK[:], id.Ed25519Public)
	good, _ := c.Body()
	mk := func(body []byte) string {
		return Frame(ClaimPrefix, append(append([]byte{}, body...), id.Sign(body)...))
	}
	tests := []struct {
		name string
		body []byte
	}{
		{"trailing byte", append(append([]byte{}, good...), 0)},
		{"cluster-like magic", append([]byte("DMPCL02"), good[7:]...)},
		{"short", good[:len(good)-1]},
		{"length byte past end", func() []byte {
			b := append([]byte{}, good...)
			b[55] = 200
			return b
		}()},
	}
	now := time.Unix(10, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := ParseClaim(mk(tt.body), now); err == nil {
				t.Fatalf("parsed %+v, want refusal", got)
			}
		})
	}
	if _, err := ParseClaim(mk(good), now); err != nil {
		t.Fatalf("the unmodified body does not parse: %v", err)
	}
	d := strings.Replace(mk(good), ClaimPrefix, "v=dmp1;t=claim;d=", 1)
	if _, err := ParseClaim(d, now); err == nil {
		t.Fatal("parsed a claim with a d= key")
	}
}
