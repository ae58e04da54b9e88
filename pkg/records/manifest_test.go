package records

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

type manifestInputs struct {
	MsgID       string `json:"msg_id_hex"`
	SenderSPK   string `json:"sender_spk_hex"`
	RecipientID string `json:"recipient_id_hex"`
	Total       uint32 `json:"total_chunks"`
	Data        uint32 `json:"data_chunks"`
	PrekeyID    uint32 `json:"prekey_id"`
	TS          uint64 `json:"ts"`
	Exp         uint64 `json:"exp"`
}

func (in manifestInputs) manifest(t testing.TB) *Manifest {
	m := &Manifest{TotalChunks: in.Total, DataChunks: in.Data, PrekeyID: in.PrekeyID,
		TS: in.TS, Exp: in.Exp}
	fill(t, m.MsgID[:], in.MsgID)
	fill(t, m.SenderSPK[:], in.SenderSPK)
	fill(t, m.RecipientID[:], in.RecipientID)
	return m
}

// TestManifestReferenceVectors checks slot_manifest.json: the legacy body
// (no chunk hashes) signs to the exact wire and parses back, and the
// flipped-trailer case is refused.
func TestManifestReferenceVectors(t *testing.T) {
	cases := loadRef(t, "slot_manifest.json")
	for _, c := range cases {
		t.Run(c.Description, func(t *testing.T) {
			inputs := c.Inputs
			if c.WireFromCase != nil {
				inputs = cases[*c.WireFromCase].Inputs
			}
			var in manifestInputs
			if err := json.Unmarshal(inputs, &in); err != nil {
				t.Fatal(err)
			}
			now := windowNow(in.Exp)
			if c.ParseResult == "none" {
				m, err := ParseManifest(c.wire(t), now)
				if err == nil {
					t.Fatalf("parsed %+v, want refusal", m)
				}
				c.wantRefused(t, manifestType, err)
				return
			}

			id := identityFromSeed(t, c.SenderSeed)
			got, err := in.manifest(t).Sign(id.Ed25519)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.wire(t) {
				t.Fatalf("sign: got %q, want %q", got, c.wire(t))
			}

			m, err := ParseManifest(got, now)
			if err != nil {
				t.Fatal(err)
			}
			if m.TotalChunks != *c.ParseTotal || !m.Legacy() || m.Exp != in.Exp {
				t.Fatalf("parse: got n=%d legacy=%v exp=%d, want n=%d legacy exp=%d",
					m.TotalChunks, m.Legacy(), m.Exp, *c.ParseTotal, in.Exp)
			}
		})
	}
}

// TestManifestMessagePath parses the current (chunk-hash) manifests the
// reference client published, checks every field against the message, and
// signs them again byte for byte.
func TestManifestMessagePath(t *testing.T) {
	f := loadMP(t)
	alice := identityFromSeed(t, f.Identities[1].X25519Priv)
	bobID := vectors.Unhex(t, f.Identities[2].UserID)
	for _, msg := range f.Messages {
		t.Run(msg.MsgID, func(t *testing.T) {
			now := time.Unix(msg.Now, 0)
			var wire string
			var chunks []string
			for owner, values := range msg.Published {
				switch {
				case strings.HasPrefix(owner, "slot-"):
					wire = values[0]
				case strings.HasPrefix(owner, "chunk-"):
					chunks = append(chunks, owner)
				}
			}
			m, err := ParseManifest(wire, now)
			if err != nil {
				t.Fatal(err)
			}
			want := &Manifest{TotalChunks: msg.N, DataChunks: msg.K, PrekeyID: msg.PrekeyID,
				TS: uint64(msg.Now), Exp: uint64(msg.Now + msg.TTL)}
			fill(t, want.MsgID[:], msg.MsgID)
			copy(want.SenderSPK[:], alice.Ed25519Public)
			copy(want.RecipientID[:], bobID)
			want.ChunkHashes = chunkHashes(t, msg.Published, chunks)
			if err := sameManifest(m, want); err != nil {
				t.Fatal(err)
			}
			if m.Expired(now) {
				t.Fatal("manifest expired at its own ts")
			}

			got, err := want.Sign(alice.Ed25519)
			if err != nil {
				t.Fatal(err)
			}
			if got != wire {
				t.Fatalf("sign: got %q, want %q", got, wire)
			}
		})
	}
}

// chunkHashes returns H(chunk i) for the published chunks, in index order.
func chunkHashes(t *testing.T, pub map[string][]string, owners []string) [][HashSize]byte {
	t.Helper()
	out := make([][HashSize]byte, len(owners))
	for i := range out {
		name := ""
		for _, o := range owners {
			if strings.HasPrefix(o, fmt.Sprintf("chunk-%04d-", i)) {
				name = o
			}
		}
		data, err := ParseChunk(pub[name][0])
		if err != nil {
			t.Fatalf("chunk %d (%q): %v", i, name, err)
		}
		out[i] = sha256.Sum256(data)
	}
	return out
}

func sameManifest(got, want *Manifest) error {
	g, w := *got, *want
	g.Signature, w.Signature = nil, nil
	gh, wh := g.ChunkHashes, w.ChunkHashes
	g.ChunkHashes, w.ChunkHashes = nil, nil
	if fmt.Sprint(g) != fmt.Sprint(w) || fmt.Sprint(gh) != fmt.Sprint(wh) {
		return fmt.Errorf("got %+v, want %+v", *got, *want)
	}
	return nil
}

func TestManifestChecks(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("11", 32))
	base := func() *Manifest {
		m := &Manifest{TotalChunks: 2, DataChunks: 1, TS: 1000, Exp: 2000}
		copy(m.SenderSPK[:], id.Ed25519Public)
		return m
	}
	tests := []struct {
		name   string
		modify func(*Manifest)
		ok     bool
	}{
		{"legacy", func(*Manifest) {}, true},
		{"with hashes", func(m *Manifest) { m.ChunkHashes = make([][HashSize]byte, 2) }, true},
		{"k equals n", func(m *Manifest) { m.DataChunks = 2 }, true},
		{"n at cap", func(m *Manifest) { m.TotalChunks = MaxTotalChunks }, true},
		{"n at cap with hashes", func(m *Manifest) {
			m.TotalChunks = MaxTotalChunks
			m.ChunkHashes = make([][HashSize]byte, MaxTotalChunks)
		}, true},
		{"n over cap", func(m *Manifest) { m.TotalChunks = MaxTotalChunks + 1 }, false},
		{"k zero", func(m *Manifest) { m.DataChunks = 0 }, false},
		{"k over n", func(m *Manifest) { m.DataChunks = 3 }, false},
		{"n zero", func(m *Manifest) { m.TotalChunks, m.DataChunks = 0, 0 }, false},
		{"hash count", func(m *Manifest) { m.ChunkHashes = make([][HashSize]byte, 1) }, false},
		{"wrong signer", func(m *Manifest) { m.SenderSPK[0] ^= 1 }, false},
	}
	now := time.Unix(1000, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			tt.modify(m)
			wire, err := m.Sign(id.Ed25519)
			if (err == nil) != tt.ok {
				t.Fatalf("sign error = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				var re *Error
				if !errors.As(err, &re) {
					t.Fatalf("error %v is not *Error", err)
				}
				return
			}
			if len(wire) > MaxManifestWire {
				t.Fatalf("wire is %d bytes, over MaxManifestWire %d", len(wire), MaxManifestWire)
			}
			got, err := ParseManifest(wire, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameManifest(got, m); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestManifestFutureCap(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("22", 32))
	m := &Manifest{TotalChunks: 1, DataChunks: 1, TS: 0, Exp: 10_000_000}
	copy(m.SenderSPK[:], id.Ed25519Public)
	wire, err := m.Sign(id.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now  int64
		ok   bool
		expd bool
	}{
		{10_000_000 - MaxFuture, true, false},      // exactly 30 days ahead
		{10_000_000 - MaxFuture - 1, false, false}, // one second more
		{10_000_001, true, true},                   // expired parses; caller checks
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.now), func(t *testing.T) {
			now := time.Unix(tt.now, 0)
			got, err := ParseManifest(wire, now)
			if (err == nil) != tt.ok {
				t.Fatalf("parse error = %v, want ok=%v", err, tt.ok)
			}
			if err == nil && got.Expired(now) != tt.expd {
				t.Fatalf("Expired = %v, want %v", got.Expired(now), tt.expd)
			}
		})
	}
}

func TestManifestMalformed(t *testing.T) {
	id := identityFromSeed(t, strings.Repeat("33", 32))
	m := &Manifest{TotalChunks: 2, DataChunks: 2, Exp: 100}
	copy(m.SenderSPK[:], id.Ed25519Public)
	m.ChunkHashes = make([][HashSize]byte, 2)
	good, _ := m.Sign(id.Ed25519)
	blob, _ := Unframe("t", ManifestPrefix, 0, good)
	now := time.Unix(0, 0)

	tests := []struct {
		name string
		wire string
	}{
		{"empty", ""},
		{"prefix only", ManifestPrefix},
		{"other prefix", strings.Replace(good, "t=manifest", "t=manifesT", 1)},
		{"newline in base64", good[:40] + "\n" + good[40:]},
		{"short blob", Frame(ManifestPrefix, blob[:171])},
		{"one hash missing", Frame(ManifestPrefix, append(append([]byte{}, blob[:140]...),
			blob[172:]...))},
		{"trailing byte", Frame(ManifestPrefix, append(append([]byte{}, blob...), 0))},
		{"over cap", ManifestPrefix + strings.Repeat("A", MaxManifestWire)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := ParseManifest(tt.wire, now); err == nil {
				t.Fatalf("parsed %+v, want refusal", got)
			}
		})
	}
}
