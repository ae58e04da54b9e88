package message

import (
	"bytes"
	"encoding/hex"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/envelope"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/records"
)

// pathVectors is testdata/vectors/message-path.json: three messages from
// Alice to Bob published by the reference client (v0.7.5) with msg_id,
// ephemeral key, nonce and clock pinned (message-path.md §16.3).
type pathVectors struct {
	FixedNow   int64 `json:"fixed_now"`
	Identities []struct {
		Username string `json:"username"`
		X25519   string `json:"x25519_priv_hex"`
	} `json:"identities"`
	Messages []pathMessage `json:"messages"`
}

type pathMessage struct {
	Description string              `json:"description"`
	Now         int64               `json:"now"`
	TTL         int64               `json:"ttl"`
	Body        string              `json:"body_utf8"`
	MsgID       string              `json:"msg_id_hex"`
	Ephemeral   string              `json:"ephemeral_priv_hex"`
	Nonce       string              `json:"nonce_hex"`
	PrekeyID    uint32              `json:"prekey_id"`
	PrekeyPriv  *string             `json:"prekey_priv_hex"`
	Plaintext   string              `json:"aead_plaintext_hex"`
	AAD         string              `json:"aad_hex"`
	Encrypted   string              `json:"encrypted_message_hex"`
	OuterHeader string              `json:"outer_header_json"`
	Outer       string              `json:"outer_bytes_hex"`
	K           int                 `json:"k"`
	N           int                 `json:"n"`
	Shares      []string            `json:"shares_hex"`
	Published   map[string][]string `json:"published"`
	Received    []struct {
		Plaintext string `json:"plaintext_utf8"`
		Label     string `json:"sender_label"`
		TS        int64  `json:"timestamp"`
		MsgID     string `json:"msg_id_hex"`
	} `json:"bob_received"`
}

const (
	vectorZone   = "mesh.example"
	aliceAddress = "alice@mesh.example"
)

type fixture struct {
	vec        pathVectors
	alice, bob *keys.Identity
}

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{}
	vectors.Load(t, "message-path.json", &f.vec)
	for _, id := range f.vec.Identities {
		k, err := keys.FromX25519(vectors.Unhex(t, id.X25519))
		if err != nil {
			t.Fatal(err)
		}
		switch id.Username {
		case "alice":
			f.alice = k
		case "bob":
			f.bob = k
		}
	}
	if f.alice == nil || f.bob == nil {
		t.Fatal("message-path.json: alice or bob missing")
	}
	return f
}

// message returns Build's input for vector message v.
func (f *fixture) message(t testing.TB, v pathMessage) Message {
	t.Helper()
	m := Message{
		Sender:    f.alice,
		Recipient: f.bob.X25519Public,
		Body:      []byte(v.Body),
		Zone:      vectorZone,
		TTL:       time.Duration(v.TTL) * time.Second,
		Now:       time.Unix(v.Now, 0),
		Rand: bytes.NewReader(slices.Concat(vectors.Unhex(t, v.MsgID), vectors.Unhex(t, v.Ephemeral),
			vectors.Unhex(t, v.Nonce))),
	}
	// The reference sends v2 to a recipient that advertises it; the
	// vectors mark that by a DMPV2 plaintext.
	if bytes.HasPrefix(vectors.Unhex(t, v.Plaintext), []byte("DMPV2:")) {
		m.SenderAddr = aliceAddress
	}
	if v.PrekeyID != 0 {
		m.Prekey = &Prekey{ID: v.PrekeyID, Public: f.prekeyPublic(t, v)}
	}
	return m
}

// prekeyPublic reads Bob's published prekey record for v.
func (f *fixture) prekeyPublic(t testing.TB, v pathMessage) []byte {
	t.Helper()
	for owner, values := range v.Published {
		if owner[:8] != "prekeys." {
			continue
		}
		p, err := records.ParsePrekey(values[0], f.bob.Ed25519Public, time.Unix(v.Now, 0))
		if err != nil {
			t.Fatalf("prekey record: %v", err)
		}
		if p.ID != v.PrekeyID {
			t.Fatalf("prekey record: got id %d, want %d", p.ID, v.PrekeyID)
		}
		return p.Public[:]
	}
	t.Fatal("no prekey record published")
	return nil
}

// messageRecords returns the published records that belong to the message
// itself (Bob's prekey record is an input, not an output).
func messageRecords(v pathMessage) map[string][]string {
	out := maps.Clone(v.Published)
	for owner := range out {
		if owner[:8] == "prekeys." {
			delete(out, owner)
		}
	}
	return out
}

func TestBuildReproducesVectors(t *testing.T) {
	f := loadFixture(t)
	if len(f.vec.Messages) != 3 {
		t.Fatalf("got %d messages, want 3", len(f.vec.Messages))
	}
	for _, v := range f.vec.Messages {
		t.Run(v.Description, func(t *testing.T) {
			sent, err := Build(f.message(t, v))
			if err != nil {
				t.Fatal(err)
			}
			if sent.K != v.K || sent.N != v.N || sent.PrekeyID != v.PrekeyID {
				t.Fatalf("got k=%d n=%d prekey=%d, want k=%d n=%d prekey=%d",
					sent.K, sent.N, sent.PrekeyID, v.K, v.N, v.PrekeyID)
			}

			got := make(map[string][]string)
			for _, r := range sent.Records() {
				got[r.Owner] = append(got[r.Owner], r.Value)
			}
			want := messageRecords(v)
			if len(got) != len(want) {
				t.Fatalf("got %d owner names, want %d", len(got), len(want))
			}
			for owner, values := range want {
				if !slices.Equal(got[owner], values) {
					t.Errorf("%s:\n got %q\nwant %q", owner, got[owner], values)
				}
			}
		})
	}
}

// TestSealSteps checks each intermediate value of the vectors, so a
// mismatch in Build points at its step.
func TestSealSteps(t *testing.T) {
	f := loadFixture(t)
	for _, v := range f.vec.Messages {
		t.Run(v.Description, func(t *testing.T) {
			m := f.message(t, v)
			s, err := draw(m.Rand)
			if err != nil {
				t.Fatal(err)
			}
			outer, hdr, _, err := sealOuter(&m, v.TTL, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(hdr.Marshal()); got != v.OuterHeader {
				t.Errorf("outer header:\n got %s\nwant %s", got, v.OuterHeader)
			}
			if got := hex.EncodeToString(hdr.AAD(v.PrekeyID)); got != v.AAD {
				t.Errorf("aad:\n got %s\nwant %s", got, v.AAD)
			}
			pt := envelopeOf(m)
			if got := hex.EncodeToString(pt); got != v.Plaintext {
				t.Errorf("plaintext:\n got %s\nwant %s", got, v.Plaintext)
			}
			if got := hex.EncodeToString(outer); got != v.Outer {
				t.Errorf("outer:\n got %s\nwant %s", got, v.Outer)
			}
			if !bytes.Contains(outer, vectors.Unhex(t, v.Encrypted)) {
				t.Errorf("outer does not carry the encrypted message %s", v.Encrypted)
			}
		})
	}
}

func TestReceiveVectors(t *testing.T) {
	f := loadFixture(t)
	for _, v := range f.vec.Messages {
		t.Run(v.Description, func(t *testing.T) {
			r := f.bobRecipient(t, v)
			lookup := mapLookup(v.Published)
			now := time.Unix(v.Now, 0)

			var got []*Delivered
			for owner, values := range v.Published {
				if owner[:5] != "slot-" {
					continue
				}
				for _, value := range values {
					d, err := Receive(value, vectorZone, r, lookup, now)
					if err != nil {
						t.Fatalf("%s: %v", owner, err)
					}
					got = append(got, d)
				}
			}
			if len(got) != len(v.Received) {
				t.Fatalf("got %d messages, want %d", len(got), len(v.Received))
			}
			want := v.Received[0]
			d := got[0]
			if string(d.Body) != want.Plaintext || d.ClaimedFrom != want.Label ||
				d.TS != want.TS || hex.EncodeToString(d.MsgID[:]) != want.MsgID {
				t.Fatalf("got body %q from %q ts %d id %x, want %q from %q ts %d id %s",
					d.Body, d.ClaimedFrom, d.TS, d.MsgID, want.Plaintext, want.Label,
					want.TS, want.MsgID)
			}
			if d.PrekeyID != v.PrekeyID {
				t.Fatalf("got prekey id %d, want %d", d.PrekeyID, v.PrekeyID)
			}
			if len(d.Skipped) != 0 {
				t.Fatalf("got skipped chunks %v, want none", d.Skipped)
			}
		})
	}
}

// bobRecipient returns Bob's receiving keys for v, Alice pinned.
func (f *fixture) bobRecipient(t testing.TB, v pathMessage) Recipient {
	r := Recipient{
		Identity: f.bob,
		PinnedSender: func(spk []byte) []byte {
			if bytes.Equal(spk, f.alice.Ed25519Public) {
				return f.alice.X25519Public
			}
			return nil
		},
	}
	if v.PrekeyPriv != nil {
		priv := vectors.Unhex(t, *v.PrekeyPriv)
		r.PrekeySecret = func(id uint32) ([]byte, bool) {
			return priv, id == v.PrekeyID
		}
	}
	return r
}

func mapLookup(published map[string][]string) Lookup {
	return func(owner string) ([]string, error) { return published[owner], nil }
}

func envelopeOf(m Message) []byte { return envelope.Encode(m.Body, m.SenderAddr) }
