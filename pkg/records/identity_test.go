package records

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

type identityInputs struct {
	Username string  `json:"username"`
	X25519   string  `json:"x25519_pk_hex"`
	Ed25519  string  `json:"ed25519_spk_hex"`
	TS       uint64  `json:"ts"`
	Versions []uint8 `json:"versions"`
}

// TestIdentityReferenceVectors checks identity_record.json: exact wires for
// the minimal, 64-byte-name and versions (1, 2) records, their parse, and
// refusal of the flipped signature.
func TestIdentityReferenceVectors(t *testing.T) {
	for _, c := range loadRef(t, "identity_record.json") {
		t.Run(c.Description, func(t *testing.T) {
			if c.ParseResult == "none" {
				r, err := ParseIdentity(c.wire(t))
				if err == nil {
					t.Fatalf("parsed %+v, want refusal", r)
				}
				c.wantRefused(t, identityType, err)
				return
			}
			var in identityInputs
			if err := json.Unmarshal(c.Inputs, &in); err != nil {
				t.Fatal(err)
			}
			r := &Identity{Username: in.Username, TS: in.TS, Versions: in.Versions}
			fill(t, r.X25519[:], in.X25519)
			fill(t, r.Ed25519[:], in.Ed25519)
			id := identityFromSeed(t, c.IdentitySeed)
			got, err := r.Sign(id.Ed25519)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.wire(t) {
				t.Fatalf("sign: got %q, want %q", got, c.wire(t))
			}

			parsed, err := ParseIdentity(got)
			if err != nil {
				t.Fatal(err)
			}
			want := c.ParseVersions
			if want == nil {
				want = []uint8{1}
			}
			if parsed.Username != *c.ParseUsername || !slices.Equal(parsed.Versions, want) {
				t.Fatalf("parse: got %q %v, want %q %v", parsed.Username, parsed.Versions,
					*c.ParseUsername, want)
			}
		})
	}
}

func TestIdentityVersions(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("55", 32))
	sign := func(v []uint8) string {
		r := &Identity{Username: "bob", Versions: v}
		copy(r.Ed25519[:], id.Ed25519Public)
		wire, err := r.Sign(id.Ed25519)
		if err != nil {
			t.Fatal(err)
		}
		return wire
	}
	tests := []struct {
		name string
		in   []uint8
		want []uint8
		same []uint8 // signs to the same wire as this set
	}{
		{"nil is v1", nil, []uint8{1}, []uint8{1}},
		{"duplicates and order", []uint8{2, 1, 2}, []uint8{1, 2}, []uint8{1, 2}},
		{"v1 only has no suffix", []uint8{1, 1}, []uint8{1}, nil},
		{"v2 only", []uint8{2}, []uint8{2}, []uint8{2}},
		{"zero and 255", []uint8{255, 0}, []uint8{0, 255}, []uint8{0, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := sign(tt.in)
			r, err := ParseIdentity(wire)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Versions, tt.want) {
				t.Fatalf("got versions %v, want %v", r.Versions, tt.want)
			}
			if wire != sign(tt.same) {
				t.Fatalf("wire for %v differs from wire for %v", tt.in, tt.same)
			}
		})
	}
}

// rawIdentity signs an arbitrary identity body, for bodies Sign refuses.
func rawIdentity(t *testing.T, body []byte) string {
	id := identityFromSeed(t, strings.Repeat("55", 32))
	return Frame(IdentityPrefix, append(append([]byte{}, body...), id.Sign(body)...))
}

func identityBody(t *testing.T, name string, suffix ...byte) []byte {
	id := identityFromSeed(t, strings.Repeat("55", 32))
	b := append([]byte{byte(len(name))}, name...)
	b = append(b, make([]byte, 32)...)
	b = append(b, id.Ed25519Public...)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 7)
	return append(b, suffix...)
}

func TestIdentityMalformed(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"plain", identityBody(t, "bob"), true},
		{"suffix 1 2", identityBody(t, "bob", 2, 1, 2), true},
		{"suffix (1) never written", identityBody(t, "bob", 1, 1), false},
		{"empty suffix", identityBody(t, "bob", 0), false},
		{"unsorted suffix", identityBody(t, "bob", 2, 2, 1), false},
		{"duplicate suffix", identityBody(t, "bob", 2, 2, 2), false},
		{"short suffix", identityBody(t, "bob", 3, 1, 2), false},
		{"trailing after suffix", identityBody(t, "bob", 1, 2, 9), false},
		{"empty name", identityBody(t, ""), false},
		{"65-byte name", identityBody(t, strings.Repeat("u", 65)), false},
		{"invalid utf-8", identityBody(t, "b\xffb"), false},
		{"truncated", identityBody(t, "bob")[:60], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseIdentity(rawIdentity(t, tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("error = %v, want ok=%v", err, tt.ok)
			}
			if err == nil && !utf8.ValidString(r.Username) {
				t.Fatal("accepted invalid UTF-8")
			}
		})
	}
}

func TestIdentitySignChecks(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("66", 32))
	for _, name := range []string{"", strings.Repeat("é", 33), "\xff"} {
		r := &Identity{Username: name}
		copy(r.Ed25519[:], id.Ed25519Public)
		if _, err := r.Sign(id.Ed25519); err == nil {
			t.Errorf("signed username %q, want refusal", name)
		}
	}
	r := &Identity{Username: "ok"} // Ed25519 field not the signer
	if _, err := r.Sign(id.Ed25519); err == nil {
		t.Error("signed a record naming another key")
	}
}

// TestIdentityAllVersions is the regression test for versions 0..255: all
// 256 values do not fit the u8 count, which wrapped to 0 and signed a
// record no parser reads. Sign must refuse the set; 255 values still fit.
func TestIdentityAllVersions(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("66", 32))
	all := make([]uint8, 256)
	for i := range all {
		all[i] = uint8(i)
	}
	tests := []struct {
		name     string
		versions []uint8
		ok       bool
	}{
		{"256 versions", all, false},
		{"255 versions", all[1:], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Identity{Username: "bob", Versions: tt.versions}
			copy(r.Ed25519[:], id.Ed25519Public)
			wire, err := r.Sign(id.Ed25519)
			if (err == nil) != tt.ok {
				t.Fatalf("Sign error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				return
			}
			got, err := ParseIdentity(wire)
			if err != nil {
				t.Fatalf("ParseIdentity of a signed record: %v", err)
			}
			if !slices.Equal(got.Versions, tt.versions) {
				t.Fatalf("got %d versions, want %d", len(got.Versions), len(tt.versions))
			}
		})
	}
}
