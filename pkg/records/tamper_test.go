package records

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// signedCase is one valid signed record and a parser for its type.
type signedCase struct {
	name   string
	prefix string
	wire   string
	key    []byte // verifying key passed to parse; nil when embedded
	parse  func(wire string, key []byte) error
}

func signedCases(t *testing.T) []signedCase {
	f := loadMP(t)
	bob := identityFromSeed(t, f.Identities[2].X25519Priv)
	now := time.Unix(f.FixedNow, 0)
	var out []signedCase
	for owner, v := range f.Messages[1].Published {
		switch {
		case strings.HasPrefix(owner, "slot-"):
			out = append(out, signedCase{"manifest", ManifestPrefix, v[0], nil,
				func(w string, _ []byte) error { _, err := ParseManifest(w, now); return err }})
		case strings.HasPrefix(owner, "prekeys."):
			out = append(out, signedCase{"prekey", PrekeyPrefix, v[0], bob.Ed25519Public,
				func(w string, k []byte) error { _, err := ParsePrekey(w, k, now); return err }})
		}
	}
	out = append(out, legacyManifestCase(t))
	idCase := loadRef(t, "identity_record.json")[2]
	out = append(out, signedCase{"identity", IdentityPrefix, idCase.wire(t), nil,
		func(w string, _ []byte) error { _, err := ParseIdentity(w); return err }})
	out = append(out, signedCase{"claim", ClaimPrefix, f.Claims[0].Wire, nil,
		func(w string, _ []byte) error { _, err := ParseClaim(w, now); return err }})
	return out
}

// legacyManifestCase is the first slot_manifest.json vector: a manifest
// with the legacy 108-byte body (no chunk hashes), which parsing still
// accepts (DECISIONS W9) and so must still verify bit for bit. Its sender
// key is body bytes 16..47, so the body flips cover the key.
func legacyManifestCase(t *testing.T) signedCase {
	c := loadRef(t, "slot_manifest.json")[0]
	var in manifestInputs
	if err := json.Unmarshal(c.Inputs, &in); err != nil {
		t.Fatal(err)
	}
	now := windowNow(in.Exp)
	wire := c.wire(t)
	blob, err := Unframe(manifestType, ManifestPrefix, 0, wire)
	if err != nil {
		t.Fatal(err)
	}
	if len(blob) != ManifestHeaderSize+SignatureSize {
		t.Fatalf("vector payload is %d bytes, want the legacy %d", len(blob),
			ManifestHeaderSize+SignatureSize)
	}
	return signedCase{"legacy manifest", ManifestPrefix, wire, nil,
		func(w string, _ []byte) error { _, err := ParseManifest(w, now); return err }}
}

// TestTamper flips every bit of the body, the signature and the verifying
// key of one valid record of each signed type, one at a time, and expects
// every flip to be refused. For self-signed types the key is in the body.
func TestTamper(t *testing.T) {
	for _, c := range signedCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if err := c.parse(c.wire, c.key); err != nil {
				t.Fatalf("untouched record refused: %v", err)
			}
			blob, err := Unframe(c.name, c.prefix, 0, c.wire)
			if err != nil {
				t.Fatal(err)
			}
			for bit := 0; bit < len(blob)*8; bit++ {
				b := append([]byte{}, blob...)
				b[bit/8] ^= 1 << (bit % 8)
				if c.parse(Frame(c.prefix, b), c.key) == nil {
					t.Fatalf("flipped bit %d of %d-byte payload accepted", bit, len(blob))
				}
			}
			for bit := 0; bit < len(c.key)*8; bit++ {
				k := append([]byte{}, c.key...)
				k[bit/8] ^= 1 << (bit % 8)
				if c.parse(c.wire, k) == nil {
					t.Fatalf("flipped bit %d of the key accepted", bit)
				}
			}
		})
	}
}
