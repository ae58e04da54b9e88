package records

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// The body fuzz targets below complement the wire targets in
// fuzz_test.go, whose random inputs almost never carry a valid signature
// and so never reach the accept path. Here the input is a body: its signer
// field (where the type has one) is overwritten with a test key, the body
// is signed and framed, and the real parser runs on the result. Whatever it
// accepts must sign again, from the parsed fields alone, to the same value:
// one body per record, one value per body.

// fuzzKey is the signing key of the body targets.
var fuzzKey = ed25519.NewKeyFromSeed([]byte(strings.Repeat("f", ed25519.SeedSize)))

// fuzzPub is fuzzKey's public half.
var fuzzPub = fuzzKey.Public().(ed25519.PublicKey)

// seedBodies adds the body of every vector value with prefix, at a clock
// it parses at.
func seedBodies(f *testing.F, prefix string) {
	mp := loadMP(f)
	add := func(wire string, now int64) {
		blob, err := Unframe("seed", prefix, 0, wire)
		if err == nil && len(blob) > SignatureSize {
			f.Add(blob[:len(blob)-SignatureSize], now)
		}
	}
	for _, msg := range mp.Messages {
		for _, values := range msg.Published {
			for _, v := range values {
				add(v, msg.Now)
			}
		}
	}
	for _, c := range mp.Claims {
		add(c.Wire, mp.FixedNow)
	}
	for _, file := range []string{"slot_manifest.json", "prekey.json", "identity_record.json"} {
		for _, c := range loadRef(f, file) {
			add(string(vectors.Unhex(f, c.WireHex)), 2051222400-86400)
		}
	}
}

// signFuzzBody puts fuzzPub at body[at:] when the body is long enough
// (at < 0: the type names no signer) and returns the signed value.
func signFuzzBody(prefix string, body []byte, at int) string {
	body = append([]byte(nil), body...)
	if at >= 0 && len(body) >= at+KeySize {
		copy(body[at:], fuzzPub)
	}
	return Frame(prefix, append(body, ed25519.Sign(fuzzKey, body)...))
}

// checkAccepted fails unless err is nil or an *Error, and, when it is nil,
// unless sign (re-signing the parsed fields) reproduces wire.
func checkAccepted(t *testing.T, wire string, err error, sign func() (string, error)) {
	t.Helper()
	var re *Error
	if err != nil {
		if !errors.As(err, &re) {
			t.Fatalf("got %T %v, want *Error", err, err)
		}
		return
	}
	if got, err := sign(); err != nil || got != wire {
		t.Fatalf("re-sign of parsed fields: got %q, %v; want %q", got, err, wire)
	}
}

func FuzzManifestBody(f *testing.F) {
	seedBodies(f, ManifestPrefix)
	f.Fuzz(func(t *testing.T, body []byte, now int64) {
		wire := signFuzzBody(ManifestPrefix, body, MsgIDSize)
		m, err := ParseManifest(wire, time.Unix(now, 0))
		checkAccepted(t, wire, err, func() (string, error) {
			m.Signature = nil
			return m.Sign(fuzzKey)
		})
	})
}

func FuzzClaimBody(f *testing.F) {
	seedBodies(f, ClaimPrefix)
	f.Fuzz(func(t *testing.T, body []byte, now int64) {
		wire := signFuzzBody(ClaimPrefix, body, len(ClaimMagic)+MsgIDSize)
		c, err := ParseClaim(wire, time.Unix(now, 0))
		checkAccepted(t, wire, err, func() (string, error) {
			c.Signature = nil
			return c.Sign(fuzzKey)
		})
	})
}

func FuzzIdentityBody(f *testing.F) {
	seedBodies(f, IdentityPrefix)
	f.Fuzz(func(t *testing.T, body []byte, _ int64) {
		at := -1
		if len(body) > 0 {
			at = 1 + int(body[0]) + KeySize // after name_len, name, x25519
		}
		wire := signFuzzBody(IdentityPrefix, body, at)
		r, err := ParseIdentity(wire)
		checkAccepted(t, wire, err, func() (string, error) {
			r.Signature = nil
			return r.Sign(fuzzKey)
		})
	})
}

func FuzzPrekeyBody(f *testing.F) {
	seedBodies(f, PrekeyPrefix)
	f.Fuzz(func(t *testing.T, body []byte, now int64) {
		wire := signFuzzBody(PrekeyPrefix, body, -1)
		p, err := ParsePrekey(wire, fuzzPub, time.Unix(now, 0))
		checkAccepted(t, wire, err, func() (string, error) {
			p.Signature = nil
			return p.Sign(fuzzKey)
		})
	})
}
