package records

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestClockExtremes signs records whose u64 times sit at the edges of
// their range and parses them at clocks from before 1970 to the end of
// int64 seconds. No window check may wrap: exp = 2^64−1 is far ahead of
// every clock before 2^64−1 − 30 days, and exp 2^63 is within 30 days of
// the last int64 second.
func TestClockExtremes(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("78", 32))
	end := time.Unix(math.MaxInt64, 0)
	past := time.Unix(-1, 0)
	manifest := func(exp uint64) string {
		m := &Manifest{TotalChunks: 1, DataChunks: 1, TS: exp, Exp: exp}
		copy(m.SenderSPK[:], id.Ed25519Public)
		return mustSign(t)(m.Sign(id.Ed25519))
	}
	prekey := func(exp uint64) string {
		return mustSign(t)((&Prekey{ID: 1, Exp: exp}).Sign(id.Ed25519))
	}
	claim := func(ts, exp uint64) string {
		c := newClaim("d", 0, ts, exp)
		copy(c.SenderSPK[:], id.Ed25519Public)
		return mustSign(t)(c.Sign(id.Ed25519))
	}
	tests := []struct {
		name  string
		parse func() error
		ok    bool
	}{
		{"manifest exp 2^64-1 at 1970", parseManifestAt(manifest(math.MaxUint64), past), false},
		{"manifest exp 2^64-1 at end", parseManifestAt(manifest(math.MaxUint64), end), false},
		{"manifest exp 2^63 at end", parseManifestAt(manifest(math.MaxInt64+1), end), true},
		{"manifest exp 0 at end", parseManifestAt(manifest(0), end), true},
		{"prekey exp 2^64-1 at 1970", parsePrekeyAt(prekey(math.MaxUint64), id.Ed25519Public, past), false},
		{"prekey exp 0 at 1970", parsePrekeyAt(prekey(0), id.Ed25519Public, past), true},
		{"claim exp 2^63-1 at end", parseClaimAt(claim(1, math.MaxInt64), end), false},
		{"claim exp 2^63-1 at 2^63-1 - 30 d", parseClaimAt(claim(1, math.MaxInt64),
			time.Unix(math.MaxInt64-MaxFuture, 0)), true},
		{"claim ts 2^63-2 at 1970", parseClaimAt(claim(math.MaxInt64-1, math.MaxInt64),
			past), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.parse(); (err == nil) != tt.ok {
				t.Fatalf("got error %v, want ok=%v", err, tt.ok)
			}
		})
	}
	for _, ts := range []uint64{math.MaxInt64 + 1, math.MaxUint64} {
		c := newClaim("d", 0, ts-1, ts)
		copy(c.SenderSPK[:], id.Ed25519Public)
		if _, err := c.Sign(id.Ed25519); err == nil {
			t.Errorf("signed a claim with exp %d, want refusal at 2^63 and over", ts)
		}
	}
}

func mustSign(t *testing.T) func(string, error) string {
	return func(wire string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return wire
	}
}

func parseManifestAt(wire string, now time.Time) func() error {
	return func() error { _, err := ParseManifest(wire, now); return err }
}

func parsePrekeyAt(wire string, signer []byte, now time.Time) func() error {
	return func() error { _, err := ParsePrekey(wire, signer, now); return err }
}

func parseClaimAt(wire string, now time.Time) func() error {
	return func() error { _, err := ParseClaim(wire, now); return err }
}
