package records

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

type prekeyInputs struct {
	Exp      uint64 `json:"exp"`
	PrekeyID uint32 `json:"prekey_id"`
	Public   string `json:"public_key_hex"`
}

// TestPrekeyReferenceVectors checks prekey.json: exact wires for ids 1 and
// 2^32-1, refusal under the wrong signer, and the expired case that parses
// (expiry is the caller's check) and reports Expired.
func TestPrekeyReferenceVectors(t *testing.T) {
	cases := loadRef(t, "prekey.json")
	for _, c := range cases {
		t.Run(c.Description, func(t *testing.T) {
			inputs := c.Inputs
			if c.WireFromCase != nil {
				inputs = cases[*c.WireFromCase].Inputs
			}
			var in prekeyInputs
			if err := json.Unmarshal(inputs, &in); err != nil {
				t.Fatal(err)
			}
			signer := vectors.Unhex(t, c.VerifyWithSPK)
			now := windowNow(in.Exp)
			if in.Exp < 86400 {
				now = time.Unix(int64(in.Exp)+1, 0) // the expired case
			}
			if c.ParseResult == "none" {
				p, err := ParsePrekey(c.wire(t), signer, now)
				if err == nil {
					t.Fatalf("parsed %+v, want refusal", p)
				}
				c.wantRefused(t, prekeyType, err)
				return
			}

			id := identityFromSeed(t, c.SignerSeed)
			p := &Prekey{ID: in.PrekeyID, Exp: in.Exp}
			fill(t, p.Public[:], in.Public)
			got, err := p.Sign(id.Ed25519)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.wire(t) {
				t.Fatalf("sign: got %q, want %q", got, c.wire(t))
			}

			parsed, err := ParsePrekey(got, signer, now)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.ID != *c.ParsePrekeyID || parsed.Public != p.Public {
				t.Fatalf("parse: got id %d, want %d", parsed.ID, *c.ParsePrekeyID)
			}
			if wantExp := in.Exp < 86400; parsed.Expired(now) != wantExp {
				t.Fatalf("Expired(%v) = %v, want %v", now.Unix(), parsed.Expired(now), wantExp)
			}
		})
	}
}

// TestPrekeyMessagePath parses Bob's prekey that message 2 used, under his
// key, and signs it again.
func TestPrekeyMessagePath(t *testing.T) {
	f := loadMP(t)
	bob := identityFromSeed(t, f.Identities[2].X25519Priv)
	msg := f.Messages[1]
	wire := msg.Published["prekeys.id-81b637d8fcd2.mesh.example"][0]
	now := time.Unix(msg.Now, 0)
	p, err := ParsePrekey(wire, bob.Ed25519Public, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != msg.PrekeyID {
		t.Fatalf("got prekey id %#x, want %#x", p.ID, msg.PrekeyID)
	}
	p.Signature = nil
	got, err := p.Sign(bob.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if got != wire {
		t.Fatalf("sign: got %q, want %q", got, wire)
	}
}

func TestPrekeyChecks(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("44", 32))
	p := &Prekey{ID: 0, Exp: 5}
	if _, err := p.Sign(id.Ed25519); err == nil {
		t.Fatal("signed prekey_id 0, want refusal")
	}

	// A well-signed record carrying id 0 is refused on parse too.
	body := make([]byte, PrekeyBodySize)
	wire := Frame(PrekeyPrefix, append(body, id.Sign(body)...))
	if _, err := ParsePrekey(wire, id.Ed25519Public, time.Unix(0, 0)); err == nil {
		t.Fatal("parsed prekey_id 0, want refusal")
	}

	p = &Prekey{ID: 9, Exp: MaxFuture + 10}
	wire, err := p.Sign(id.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if len(wire) != PrekeyWireSize {
		t.Fatalf("wire is %d bytes, want %d", len(wire), PrekeyWireSize)
	}
	for _, tt := range []struct {
		now int64
		ok  bool
	}{{10, true}, {9, false}} {
		_, err := ParsePrekey(wire, id.Ed25519Public, time.Unix(tt.now, 0))
		if (err == nil) != tt.ok {
			t.Errorf("now=%d: error %v, want ok=%v", tt.now, err, tt.ok)
		}
		_, err = ParsePrekeyUnverified(wire, time.Unix(tt.now, 0))
		if (err == nil) != tt.ok {
			t.Errorf("unverified now=%d: error %v, want ok=%v", tt.now, err, tt.ok)
		}
	}
	if _, err := ParsePrekey(wire, nil, time.Unix(10, 0)); err == nil {
		t.Error("verified under a nil key")
	}
	if _, err := ParsePrekey(wire+"AAAA", id.Ed25519Public, time.Unix(10, 0)); err == nil {
		t.Error("parsed a value with trailing base64")
	}
}
