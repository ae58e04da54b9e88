package message

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/records"
)

// These tests feed the receiver records a hostile or broken sender or
// zone could serve. Each must be dropped with the right reason, or, where
// the damage is only to one chunk, still be delivered with the bad value
// listed as skipped. None may panic.

var t0 = time.Unix(1893456000, 0)

func newIdentity(t testing.TB, label string) *keys.Identity {
	t.Helper()
	seed := sha256.Sum256([]byte(label))
	id, err := keys.FromX25519(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// zoneData is a fake zone: owner name to TXT values in answer order.
type zoneData map[string][]string

func (z zoneData) lookup(owner string) ([]string, error) { return z[owner], nil }

func (z zoneData) add(records []Record) {
	for _, r := range records {
		z[r.Owner] = append(z[r.Owner], r.Value)
	}
}

// hostile holds one baseline message from Alice to Bob and the means to
// forge variants of it signed by Alice.
type hostile struct {
	alice, bob, carol *keys.Identity
	msg               Message
	sent              *Sent
	zone              zoneData
}

func newHostile(t testing.TB) *hostile {
	h := &hostile{
		alice: newIdentity(t, "alice"),
		bob:   newIdentity(t, "bob"),
		carol: newIdentity(t, "carol"),
		zone:  zoneData{},
	}
	h.msg = h.message(h.bob, "hello bob")
	sent, err := Build(h.msg)
	if err != nil {
		t.Fatal(err)
	}
	h.sent = sent
	h.zone.add(sent.Records())
	return h
}

// message returns a fixed-randomness message from Alice to to.
func (h *hostile) message(to *keys.Identity, body string) Message {
	return Message{
		Sender: h.alice, SenderAddr: "alice@mesh.example", Recipient: to.X25519Public,
		Body: []byte(body), Zone: vectorZone, TTL: 300 * time.Second, Now: t0,
		Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 60)),
	}
}

func (h *hostile) recipient() Recipient {
	return Recipient{Identity: h.bob, PinnedSender: func(spk []byte) []byte {
		if bytes.Equal(spk, h.alice.Ed25519Public) {
			return h.alice.X25519Public
		}
		return nil
	}}
}

// sealTest returns the outer message and header Build would make for m.
func sealTest(t testing.TB, m Message) ([]byte, *Header, uint32) {
	t.Helper()
	s, err := draw(m.Rand)
	if err != nil {
		t.Fatal(err)
	}
	outer, hdr, prekeyID, err := sealOuter(&m, int64(m.TTL/time.Second), s)
	if err != nil {
		t.Fatal(err)
	}
	return outer, hdr, prekeyID
}

// forge lays out any outer message with the given manifest fields, signed
// by Alice, in a fresh zone, and returns the zone and manifest value.
func (h *hostile) forge(t *testing.T, outer []byte, mf *manifestFields) (zoneData, string) {
	t.Helper()
	sent, err := layout(outer, mf, h.alice, vectorZone)
	if err != nil {
		t.Fatal(err)
	}
	z := zoneData{}
	z.add(sent.Records())
	return z, sent.Manifest.Value
}

// fields returns manifest fields matching hdr.
func fields(hdr *Header, prekeyID uint32) *manifestFields {
	return &manifestFields{msgID: hdr.MsgID, recipientID: hdr.Recipient, prekeyID: prekeyID,
		ts: uint64(hdr.TS), exp: uint64(hdr.TS + hdr.TTL)}
}

// resign re-signs the manifest value with Alice's key after edit.
func (h *hostile) resign(t *testing.T, value string, edit func(*records.Manifest)) string {
	t.Helper()
	m, err := records.ParseManifest(value, t0)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := m.Sign(h.alice.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostileChunks(t *testing.T) {
	h := newHostile(t)
	other, err := Build(h.message(h.bob, "another message"))
	if err != nil {
		t.Fatal(err)
	}
	c0, c1 := h.sent.Chunks[0].Owner, h.sent.Chunks[1].Owner
	foreign := other.Chunks[0].Value // a valid chunk of another message
	const garbage = records.ChunkPrefix + "garbage!"
	notBase64 := ChunkSkip{0, "dmp chunk record: payload is not strict standard base64"}
	notChunk := ChunkSkip{0, fmt.Sprintf("dmp chunk record: value does not start with %q",
		records.ChunkPrefix)}
	parity := h.sent.N - h.sent.K

	cases := []struct {
		name    string
		edit    func(z zoneData)
		wantErr error       // nil: delivered
		skips   []ChunkSkip // exactly the values passed over
	}{
		// The receiver stops at the first good value of an RRset, so a
		// value after it is never read and leaves no skip.
		{"garbage appended", func(z zoneData) {
			z[c0] = append(z[c0], garbage)
		}, nil, nil},
		{"garbage first", func(z zoneData) {
			z[c0] = append([]string{garbage}, z[c0]...)
		}, nil, []ChunkSkip{notBase64}},
		{"garbage and a non-chunk value first", func(z zoneData) {
			z[c0] = append([]string{garbage, "hello"}, z[c0]...)
		}, nil, []ChunkSkip{notBase64, notChunk}},
		{"foreign chunk first", func(z zoneData) {
			z[c0] = append([]string{foreign}, z[c0]...)
		}, nil, mismatches(0)},
		{"chunk replaced", func(z zoneData) {
			z[c0] = []string{foreign}
		}, nil, mismatches(0)},
		{"one chunk more than the parity replaced", func(z zoneData) {
			for _, c := range h.sent.Chunks[:parity+1] {
				z[c.Owner] = []string{foreign}
			}
		}, ErrMissingChunks, mismatches(upTo(parity)...)},
		// An empty RRset has no value to skip: the index is just absent.
		{"chunk missing", func(z zoneData) { delete(z, c1) }, nil, nil},
		{"all chunks missing", func(z zoneData) {
			for _, c := range h.sent.Chunks {
				delete(z, c.Owner)
			}
		}, ErrMissingChunks, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z := zoneData{}
			z.add(h.sent.Records())
			c.edit(z)
			d, err := Receive(h.sent.Manifest.Value, vectorZone, h.recipient(), z.lookup, t0)
			checkDrop(t, d, err, c.wantErr)
			checkSkips(t, d, err, c.skips)
		})
	}
}

// mismatches returns a hash-mismatch skip for each chunk index.
func mismatches(idx ...int) []ChunkSkip {
	var out []ChunkSkip
	for _, i := range idx {
		out = append(out, ChunkSkip{i, "chunk hash mismatch"})
	}
	return out
}

// upTo returns 0..n.
func upTo(n int) []int {
	out := make([]int, n+1)
	for i := range out {
		out[i] = i
	}
	return out
}

// checkSkips asserts that exactly want was skipped: in d.Skipped when the
// message was delivered, in the error's text when too few chunks were left.
// Other drops happen before any chunk is fetched and are not checked.
func checkSkips(t *testing.T, d *Delivered, err error, want []ChunkSkip) {
	t.Helper()
	switch {
	case err == nil:
		if !slices.Equal(d.Skipped, want) {
			t.Fatalf("got skips %v, want %v", d.Skipped, want)
		}
	case errors.Is(err, ErrMissingChunks):
		wantText := fmt.Sprintf("(skipped: %v)", want)
		if !strings.HasSuffix(err.Error(), wantText) {
			t.Fatalf("got %v, want it to end with %s", err, wantText)
		}
	}
}

func TestHostileLookupError(t *testing.T) {
	h := newHostile(t)
	failing := func(string) ([]string, error) { return nil, errors.New("servfail") }
	_, err := Receive(h.sent.Manifest.Value, vectorZone, h.recipient(), failing, t0)
	if !errors.Is(err, ErrMissingChunks) || !strings.Contains(err.Error(), "servfail") {
		t.Fatalf("got %v, want ErrMissingChunks naming the lookup failure", err)
	}
}

// checkDrop asserts a drop with want, or a delivery of "hello bob" when
// want is nil.
func checkDrop(t *testing.T, d *Delivered, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("got %v, want delivery", err)
		}
		if string(d.Body) != "hello bob" {
			t.Fatalf("got body %q, want %q", d.Body, "hello bob")
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("got %v (delivered %v), want %v", err, d != nil, want)
	}
}

func TestHostileManifests(t *testing.T) {
	h := newHostile(t)
	toCarol, err := Build(h.message(h.carol, "hello carol"))
	if err != nil {
		t.Fatal(err)
	}
	value := h.sent.Manifest.Value
	parity := h.sent.N - h.sent.K
	cases := []struct {
		name  string
		value string
		now   time.Time
		want  error
		skips []ChunkSkip // checked on delivery and on ErrMissingChunks
	}{
		{"delivered", value, t0, nil, nil},
		{"at expiry", value, t0.Add(300 * time.Second), nil, nil},
		{"expired", value, t0.Add(301 * time.Second), ErrExpired, nil},
		{"for another recipient", toCarol.Manifest.Value, t0, ErrWrongRecipient, nil},
		{"bad signature", flipLastB64(value), t0, ErrManifest, nil},
		{"not a manifest", "v=dmp1;t=chunk;d=AAAA", t0, ErrManifest, nil},
		{"legacy body", h.resign(t, value, func(m *records.Manifest) { m.ChunkHashes = nil }),
			t0, ErrLegacyManifest, nil},
		// The parity covers one chunk refused for its hash: delivered,
		// with the chunk listed as skipped.
		{"wrong chunk hash", h.resign(t, value, func(m *records.Manifest) {
			m.ChunkHashes[0][0] ^= 1
		}), t0, nil, mismatches(0)},
		{"one wrong chunk hash more than the parity", h.resign(t, value,
			func(m *records.Manifest) {
				for i := range m.TotalChunks - m.DataChunks + 1 {
					m.ChunkHashes[i][0] ^= 1
				}
			}), t0, ErrMissingChunks, mismatches(upTo(parity)...)},
		{"k lowered", h.resign(t, value, func(m *records.Manifest) { m.DataChunks = 2 }),
			t0, ErrMalformed, nil},
		{"over 256 chunks", h.resign(t, value, func(m *records.Manifest) {
			m.TotalChunks, m.DataChunks = 300, 3
			m.ChunkHashes = make([][32]byte, 300)
		}), t0, ErrTooManyChunks, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Receive(c.value, vectorZone, h.recipient(), h.zone.lookup, c.now)
			checkDrop(t, d, err, c.want)
			checkSkips(t, d, err, c.skips)
		})
	}
}

// flipLastB64 changes the last base64 character before any padding.
func flipLastB64(v string) string {
	i := len(strings.TrimRight(v, "="))
	c := byte('A')
	if v[i-1] == 'A' {
		c = 'B'
	}
	return v[:i-1] + string(c) + v[i:]
}

// reseal returns outer with its header replaced by edit(header) and its
// sealed part by editSealed(sealed), framed again.
func reseal(t *testing.T, outer []byte, edit func(string) string,
	editSealed func([]byte) []byte) []byte {
	t.Helper()
	hdr, sealed, err := parseOuter(outer)
	if err != nil {
		t.Fatal(err)
	}
	newHdr := []byte(edit(string(hdr)))
	return marshalOuter(newHdr, editSealed(bytes.Clone(sealed)))
}

func keep[T any](v T) T { return v }

func TestHostileOuter(t *testing.T) {
	h := newHostile(t)
	outer, hdr, _ := sealTest(t, h.message(h.bob, "hello bob"))
	carolOuter, carolHdr, _ := sealTest(t, h.message(h.carol, "hello bob"))
	late := h.message(h.bob, "hello bob")
	late.Now = t0.Add(-1000 * time.Second)
	lateOuter, lateHdr, _ := sealTest(t, late)

	otherID := *fields(hdr, 0)
	otherID.msgID[0] ^= 1
	carolToBob := *fields(carolHdr, 0)
	carolToBob.recipientID = hdr.Recipient
	lateFields := *fields(lateHdr, 0)
	lateFields.exp = uint64(t0.Unix() + 300)
	nonZeroSig := bytes.Clone(outer)
	nonZeroSig[len(nonZeroSig)-1] = 1

	cases := []struct {
		name  string
		outer []byte
		mf    *manifestFields
		pin   *keys.Identity // nil: Alice pinned correctly
		want  error
	}{
		{"untouched", outer, fields(hdr, 0), nil, nil},
		{"header msg_id differs", outer, &otherID, nil, ErrHeaderMismatch},
		{"header recipient differs", carolOuter, &carolToBob, nil, ErrHeaderMismatch},
		{"header expired, manifest not", lateOuter, &lateFields, nil, ErrHeaderExpired},
		{"sender is not the pinned contact", outer, fields(hdr, 0), h.carol, ErrSenderMismatch},
		{"aad ttl tampered", reseal(t, outer, func(s string) string {
			return strings.Replace(s, `"ttl":300`, `"ttl":301`, 1)
		}, keep), fields(hdr, 0), nil, ErrDecrypt},
		{"aad type tampered", reseal(t, outer, func(s string) string {
			return strings.Replace(s, `"DATA"`, `"ACK"`, 1)
		}, keep), fields(hdr, 0), nil, ErrDecrypt},
		{"aad ts tampered", reseal(t, outer, func(s string) string {
			return strings.Replace(s, `"ts":1893456000`, `"ts":1893456001`, 1)
		}, keep), fields(hdr, 0), nil, ErrDecrypt},
		{"aad prekey id tampered", outer, fields(hdr, 9), nil, ErrDecrypt},
		{"ciphertext truncated by one byte", reseal(t, outer, keep, func(b []byte) []byte {
			return b[:len(b)-1]
		}), fields(hdr, 0), nil, ErrDecrypt},
		{"ciphertext shorter than a tag", reseal(t, outer, keep, func(b []byte) []byte {
			return b[:encryptedMin+5]
		}), fields(hdr, 0), nil, ErrDecrypt},
		{"sealed part shorter than key and nonce", reseal(t, outer, keep, func(b []byte) []byte {
			return b[:10]
		}), fields(hdr, 0), nil, ErrDecrypt},
		{"ciphertext bit flipped", reseal(t, outer, keep, func(b []byte) []byte {
			b[len(b)-20] ^= 1
			return b
		}), fields(hdr, 0), nil, ErrDecrypt},
		{"low-order ephemeral key", reseal(t, outer, keep, func(b []byte) []byte {
			clear(b[:x25519Size])
			return b
		}), fields(hdr, 0), nil, ErrDecrypt},
		{"header missing a key", reseal(t, outer, func(s string) string {
			return strings.Replace(s, `"chunk":0,`, "", 1)
		}, keep), fields(hdr, 0), nil, ErrMalformed},
		{"header not json", reseal(t, outer, func(string) string { return "{" }, keep),
			fields(hdr, 0), nil, ErrMalformed},
		{"signature field not zero", nonZeroSig, fields(hdr, 0), nil, ErrMalformed},
		{"header length beyond message", append([]byte{0xff, 0xff}, outer[2:]...),
			fields(hdr, 0), nil, ErrMalformed},
		{"outer too short", []byte{0, 0}, fields(hdr, 0), nil, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z, value := h.forge(t, c.outer, c.mf)
			r := h.recipient()
			r.PrekeySecret = func(uint32) ([]byte, bool) { return h.bob.X25519Private, true }
			if c.pin != nil {
				r.PinnedSender = func([]byte) []byte { return c.pin.X25519Public }
			}
			d, err := Receive(value, vectorZone, r, z.lookup, t0)
			checkDrop(t, d, err, c.want)
		})
	}
}

func TestHostilePrekeys(t *testing.T) {
	h := newHostile(t)
	prekey := newIdentity(t, "bob prekey 5")
	m := h.message(h.bob, "hello bob")
	m.Prekey = &Prekey{ID: 5, Public: prekey.X25519Public}
	sent, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	z := zoneData{}
	z.add(sent.Records())

	holds := func(ids ...uint32) func(uint32) ([]byte, bool) {
		return func(id uint32) ([]byte, bool) {
			for _, want := range ids {
				if id == want {
					return prekey.X25519Private, true
				}
			}
			return nil, false
		}
	}
	cases := []struct {
		name   string
		secret func(uint32) ([]byte, bool)
		want   error
	}{
		{"prekey held", holds(5), nil},
		{"prekey used or expired", holds(6), ErrPrekeyUnavailable},
		{"no prekey store", nil, ErrPrekeyUnavailable},
		{"wrong secret under the id", func(uint32) ([]byte, bool) {
			return h.bob.X25519Private, true
		}, ErrDecrypt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.recipient()
			r.PrekeySecret = c.secret
			d, err := Receive(sent.Manifest.Value, vectorZone, r, z.lookup, t0)
			checkDrop(t, d, err, c.want)
			if err == nil && d.PrekeyID != 5 {
				t.Fatalf("got prekey id %d, want 5", d.PrekeyID)
			}
		})
	}
}

// TestOpenUncheckedManifest calls Open with manifests that did not go
// through CheckManifest.
func TestOpenUncheckedManifest(t *testing.T) {
	h := newHostile(t)
	good, err := records.ParseManifest(h.sent.Manifest.Value, t0)
	if err != nil {
		t.Fatal(err)
	}
	legacy := *good
	legacy.ChunkHashes = nil
	short := *good
	short.ChunkHashes = short.ChunkHashes[:1]
	cases := []struct {
		name string
		m    *records.Manifest
		want error
	}{
		{"legacy", &legacy, ErrLegacyManifest},
		{"hash count differs", &short, ErrManifest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Open(c.m, vectorZone, h.recipient(), h.zone.lookup, t0)
			checkDrop(t, d, err, c.want)
		})
	}
}

// TestNoIdentity calls each receive function without a recipient
// identity: each refuses with ErrNoIdentity before reading anything.
func TestNoIdentity(t *testing.T) {
	h := newHostile(t)
	good, err := records.ParseManifest(h.sent.Manifest.Value, t0)
	if err != nil {
		t.Fatal(err)
	}
	looked := 0
	lookup := func(owner string) ([]string, error) { looked++; return h.zone.lookup(owner) }
	calls := map[string]func() error{
		"CheckManifest": func() error {
			_, err := CheckManifest(h.sent.Manifest.Value, nil, t0)
			return err
		},
		"Open": func() error {
			_, err := Open(good, vectorZone, Recipient{}, lookup, t0)
			return err
		},
		"Receive": func() error {
			_, err := Receive(h.sent.Manifest.Value, vectorZone, Recipient{}, lookup, t0)
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrNoIdentity) {
			t.Errorf("%s without an identity: got %v, want ErrNoIdentity", name, err)
		}
	}
	if looked != 0 {
		t.Fatalf("%d lookups made without an identity, want 0", looked)
	}
}
