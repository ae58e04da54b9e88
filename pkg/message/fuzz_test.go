package message

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/dnsmesh/dmp/pkg/names"

	"github.com/dnsmesh/dmp/pkg/records"
)

// FuzzOpenOuter feeds arbitrary outer messages, as the erasure code would
// rebuild them, to the receiver's header check and decryption. Nothing may
// panic, and only a sealed message of Alice's may open.
func FuzzOpenOuter(f *testing.F) {
	h := newHostile(f)
	outer, hdr, _ := sealTest(f, h.message(h.bob, "hello bob"))
	f.Add(outer)
	f.Add(outer[:40])
	f.Add([]byte{0, 0})
	m := &records.Manifest{MsgID: hdr.MsgID, RecipientID: hdr.Recipient}
	r := h.recipient()
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Delivered
		if err := openOuter(b, m, r, t0.Unix(), &d); err != nil {
			return
		}
		if string(d.Body) != "hello bob" {
			t.Fatalf("opened a forged message: %q", d.Body)
		}
	})
}

// FuzzReceiveManifest feeds arbitrary manifest values to Receive over the
// baseline zone. FuzzHostileSender drives the same path with manifests
// that verify.
func FuzzReceiveManifest(f *testing.F) {
	h := newHostile(f)
	f.Add(h.sent.Manifest.Value)
	f.Add(records.ManifestPrefix + "AAAA")
	r := h.recipient()
	f.Fuzz(func(t *testing.T, value string) {
		d, err := Receive(value, vectorZone, r, h.zone.lookup, t0)
		checkReceived(t, h, d, err)
	})
}

// Hostile-sender mode bits, the last argument of FuzzHostileSender.
const (
	rawValue  = 1 << iota // the chunk bytes are the TXT value as they are
	replaceIt             // the value replaces the RRset instead of leading it
	bindHash              // the manifest carries H(the value's chunk)
	legacy                // the manifest has no chunk hashes
)

// FuzzHostileSender plays a sender who signs, with Alice's real key, a
// manifest over fuzzed k, n and chunk hashes, and publishes a fuzzed chunk
// value at one chunk index beside the baseline chunks. Since the manifest
// verifies, every later check runs: hash match, RS repair, erasure decode,
// header and AEAD. Nothing may panic, every error wraps exactly one Err*
// reason, and a delivered message is the one Alice sealed.
func FuzzHostileSender(f *testing.F) {
	h := newHostile(f)
	hs := newHostileSender(f, h)
	k, n := uint32(h.sent.K), uint32(h.sent.N)
	other, err := Build(h.message(h.bob, "another message"))
	if err != nil {
		f.Fatal(err)
	}
	repaired := bytes.Clone(hs.wire[1])
	repaired[20] ^= 0xff // within what the per-chunk RS code corrects

	f.Add(k, n, hs.hashBytes(), uint8(0), hs.wire[0], uint8(0))
	f.Add(k, n, []byte(nil), uint8(0), chunkWire(f, other.Chunks[0].Value), uint8(bindHash))
	f.Add(k, n, []byte(nil), uint8(1), repaired, uint8(bindHash|replaceIt))
	f.Add(k, n, []byte(nil), uint8(1), repaired, uint8(replaceIt))
	f.Add(uint32(2), n, []byte(nil), uint8(0), hs.wire[0], uint8(0))
	f.Add(k, uint32(300), []byte(nil), uint8(0), hs.wire[0], uint8(0))
	f.Add(n+1, n, []byte(nil), uint8(0), hs.wire[0], uint8(0))
	f.Add(k, n, []byte(nil), uint8(0), hs.wire[0], uint8(legacy))
	f.Add(k, n, []byte(nil), uint8(2), []byte(records.ChunkPrefix+"garbage!"), uint8(rawValue))
	r := h.recipient()
	// The forged manifest of the baseline fields must deliver, or every
	// fuzzed input would stop at the signature and test nothing after it.
	plain := hs.zoneWith(0, hs.h.sent.Chunks[0].Value, true)
	d, err := Receive(hs.sign(k, n, hs.base.ChunkHashes), vectorZone, r, plain.lookup, t0)
	if err != nil || string(d.Body) != "hello bob" {
		f.Fatalf("the hand-signed baseline manifest: got %v, want the message delivered", err)
	}
	f.Fuzz(func(t *testing.T, k, n uint32, hashes []byte, idx uint8, chunk []byte, mode uint8) {
		value, wire := chunkValue(chunk, mode)
		sums := hs.hashes(n, hashes, mode)
		if wire != nil && mode&bindHash != 0 && int(idx) < len(sums) {
			sums[idx] = sha256.Sum256(wire)
		}
		z := hs.zoneWith(int(idx), value, mode&replaceIt != 0)
		d, err := Receive(hs.sign(k, n, sums), vectorZone, r, z.lookup, t0)
		checkReceived(t, h, d, err)
	})
}

// hostileSender forges manifests for the baseline message.
type hostileSender struct {
	h      *hostile
	base   *records.Manifest // the baseline manifest, parsed
	wire   [][]byte          // the baseline wire chunks
	msgKey string
}

func newHostileSender(t testing.TB, h *hostile) *hostileSender {
	t.Helper()
	base, err := records.ParseManifest(h.sent.Manifest.Value, t0)
	if err != nil {
		t.Fatal(err)
	}
	hs := &hostileSender{h: h, base: base,
		msgKey: names.MsgKey(base.MsgID[:], base.RecipientID[:], base.SenderSPK[:])}
	for _, c := range h.sent.Chunks {
		hs.wire = append(hs.wire, chunkWire(t, c.Value))
	}
	return hs
}

func chunkWire(t testing.TB, value string) []byte {
	t.Helper()
	wire, err := records.ParseChunk(value)
	if err != nil {
		t.Fatal(err)
	}
	return wire
}

// hashBytes returns the baseline chunk hashes back to back.
func (hs *hostileSender) hashBytes() []byte {
	var b []byte
	for _, sum := range hs.base.ChunkHashes {
		b = append(b, sum[:]...)
	}
	return b
}

// hashes returns min(n, 1025) chunk hashes, none in legacy mode: each is
// taken from fuzzed while it lasts, then from the baseline, then zero.
func (hs *hostileSender) hashes(n uint32, fuzzed []byte, mode uint8) [][records.HashSize]byte {
	if mode&legacy != 0 {
		return nil
	}
	out := make([][records.HashSize]byte, min(n, records.MaxTotalChunks+1))
	for i := range out {
		switch {
		case len(fuzzed) >= records.HashSize*(i+1):
			copy(out[i][:], fuzzed[records.HashSize*i:])
		case i < len(hs.base.ChunkHashes):
			out[i] = hs.base.ChunkHashes[i]
		}
	}
	return out
}

// chunkValue returns the TXT value for the fuzzed chunk bytes and, when
// it parses, the wire chunk it carries.
func chunkValue(chunk []byte, mode uint8) (string, []byte) {
	value := records.Frame(records.ChunkPrefix, chunk)
	if mode&rawValue != 0 {
		value = string(chunk)
	}
	wire, err := records.ParseChunk(value)
	if err != nil {
		return value, nil
	}
	return value, wire
}

// zoneWith returns the baseline zone with value at chunk index idx, first
// in the RRset or replacing it.
func (hs *hostileSender) zoneWith(idx int, value string, replace bool) zoneData {
	z := zoneData{}
	z.add(hs.h.sent.Records())
	owner := names.Chunk(idx, hs.msgKey, vectorZone)
	if replace {
		z[owner] = []string{value}
	} else {
		z[owner] = append([]string{value}, z[owner]...)
	}
	return z
}

// sign lays out a manifest body by hand, as a hostile sender's own code
// would, so that no sign-side check of records.Manifest stands in the way,
// and signs it with Alice's key.
func (hs *hostileSender) sign(k, n uint32, sums [][records.HashSize]byte) string {
	m := hs.base
	b := slices.Concat(m.MsgID[:], m.SenderSPK[:], m.RecipientID[:])
	b = binary.BigEndian.AppendUint32(b, n)
	b = binary.BigEndian.AppendUint32(b, k)
	b = binary.BigEndian.AppendUint32(b, m.PrekeyID)
	b = binary.BigEndian.AppendUint64(b, m.TS)
	b = binary.BigEndian.AppendUint64(b, m.Exp)
	for _, sum := range sums {
		b = append(b, sum[:]...)
	}
	return records.Frame(records.ManifestPrefix, append(b, ed25519.Sign(hs.h.alice.Ed25519, b)...))
}

// reasons are the exported drop reasons; every receive error wraps one.
var reasons = []error{
	ErrNoIdentity, ErrManifest, ErrWrongRecipient, ErrExpired, ErrLegacyManifest,
	ErrTooManyChunks, ErrMissingChunks, ErrMalformed, ErrHeaderMismatch,
	ErrHeaderExpired, ErrSenderMismatch, ErrPrekeyUnavailable, ErrDecrypt,
}

// checkReceived asserts that err wraps exactly one reason or, on
// delivery, that the message is the baseline one from Alice.
func checkReceived(t *testing.T, h *hostile, d *Delivered, err error) {
	t.Helper()
	if err != nil {
		var n int
		for _, r := range reasons {
			if errors.Is(err, r) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("error %q wraps %d of the Err* reasons, want 1", err, n)
		}
		return
	}
	switch {
	case string(d.Body) != "hello bob":
		t.Fatalf("delivered %q, want the sealed body", d.Body)
	case !bytes.Equal(d.SenderSPK[:], h.alice.Ed25519Public) || d.MsgID != h.sent.MsgID:
		t.Fatalf("delivered msg %x from %x, want the baseline from Alice", d.MsgID, d.SenderSPK)
	}
}
