package records

import (
	"crypto/ed25519"
	"encoding/binary"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Slot manifest wire constants (message-path.md §9).
const (
	ManifestPrefix = "v=dmp1;t=manifest;d="

	// ManifestHeaderSize is the legacy body: everything before the
	// chunk hashes.
	ManifestHeaderSize = MsgIDSize + 2*KeySize + 3*4 + 2*8 // 108

	// MaxTotalChunks caps total_chunks on sign and parse.
	MaxTotalChunks = 1024

	// MaxManifestWire is the longest manifest TXT value: 1024 chunk
	// hashes and a signature.
	MaxManifestWire = len(ManifestPrefix) +
		(ManifestHeaderSize+MaxTotalChunks*HashSize+SignatureSize+2)/3*4

	manifestType = "manifest"
)

// Manifest is a slot manifest: the signed pointer to one message's chunks
// that a sender publishes in the recipient's mailbox slot.
type Manifest struct {
	MsgID       [MsgIDSize]byte
	SenderSPK   [KeySize]byte  // Ed25519 key of the signer
	RecipientID [HashSize]byte // H(recipient X25519 public key)
	TotalChunks uint32         // n, 1..1024
	DataChunks  uint32         // k, 1..n
	PrekeyID    uint32         // 0 = the recipient's long-term key
	TS          uint64         // sender's clock, Unix seconds
	Exp         uint64         // Unix seconds

	// ChunkHashes holds H(wire chunk i) for every chunk, or is empty for
	// the legacy body (DECISIONS W9). Receivers refuse legacy manifests;
	// see [Manifest.Legacy].
	ChunkHashes [][HashSize]byte

	// Signature is set by Sign and by ParseManifest.
	Signature []byte
}

// Legacy reports whether m has the legacy 108-byte body without chunk
// hashes, which a receiver must refuse (message-path.md §9.1).
func (m *Manifest) Legacy() bool { return len(m.ChunkHashes) == 0 }

// Expired reports whether m has expired at now (now > exp). Parsing does
// not check expiry; the receiver does.
func (m *Manifest) Expired(now time.Time) bool { return unixNow(now) > m.Exp }

// Body returns the signed body after the sign-side checks of
// message-path.md §9.2.
func (m *Manifest) Body() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, ManifestHeaderSize+len(m.ChunkHashes)*HashSize)
	b = append(b, m.MsgID[:]...)
	b = append(b, m.SenderSPK[:]...)
	b = append(b, m.RecipientID[:]...)
	b = binary.BigEndian.AppendUint32(b, m.TotalChunks)
	b = binary.BigEndian.AppendUint32(b, m.DataChunks)
	b = binary.BigEndian.AppendUint32(b, m.PrekeyID)
	b = binary.BigEndian.AppendUint64(b, m.TS)
	b = binary.BigEndian.AppendUint64(b, m.Exp)
	for _, h := range m.ChunkHashes {
		b = append(b, h[:]...)
	}
	return b, nil
}

// check applies the structural rules shared by sign and parse.
func (m *Manifest) check() error {
	switch {
	case m.TotalChunks > MaxTotalChunks:
		return Refuse(manifestType, "total_chunks %d over %d", m.TotalChunks, MaxTotalChunks)
	case m.DataChunks < 1 || m.DataChunks > m.TotalChunks:
		return Refuse(manifestType, "data_chunks %d outside 1..total_chunks (%d)",
			m.DataChunks, m.TotalChunks)
	case len(m.ChunkHashes) != 0 && len(m.ChunkHashes) != int(m.TotalChunks):
		return Refuse(manifestType, "%d chunk hashes for %d chunks",
			len(m.ChunkHashes), m.TotalChunks)
	}
	return nil
}

// Sign signs m with the sender's Ed25519 private key, which must match
// SenderSPK, stores the signature and returns the TXT value.
func (m *Manifest) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := m.Body()
	if err != nil {
		return "", err
	}
	sig, err := signBody(manifestType, priv, m.SenderSPK[:], body)
	if err != nil {
		return "", err
	}
	m.Signature = sig
	return Frame(ManifestPrefix, append(body, sig...)), nil
}

// Encode returns the TXT value of m with its stored signature, without
// signing again.
func (m *Manifest) Encode() (string, error) {
	body, err := m.Body()
	if err != nil {
		return "", err
	}
	if len(m.Signature) != SignatureSize {
		return "", Refuse(manifestType, "no signature to encode")
	}
	return Frame(ManifestPrefix, append(body, m.Signature...)), nil
}

// ParseManifest decodes and verifies a slot manifest TXT value (the strings
// of one RR joined) in the order of message-path.md §9.3: prefix, strict
// base64, a length that fits the legacy or the current body exactly, the
// structural rules, the signature under the embedded sender key, and exp at
// most MaxFuture seconds after now. It does not check expiry itself; see
// [Manifest.Expired]. Errors are *Error values.
func ParseManifest(wire string, now time.Time) (*Manifest, error) {
	blob, err := Unframe(manifestType, ManifestPrefix, MaxManifestWire, wire)
	if err != nil {
		return nil, err
	}
	body, sig, err := splitSig(manifestType, blob)
	if err != nil {
		return nil, err
	}
	m, err := decodeManifestBody(body)
	if err != nil {
		return nil, err
	}
	if err := verify(manifestType, m.SenderSPK[:], body, sig); err != nil {
		return nil, err
	}
	if tooFarAhead(m.Exp, now, MaxFuture) {
		return nil, Refuse(manifestType, "exp %d is more than %d s ahead", m.Exp, MaxFuture)
	}
	m.Signature = append([]byte(nil), sig...)
	return m, nil
}

// decodeManifestBody reads a legacy or current body and applies check.
func decodeManifestBody(body []byte) (*Manifest, error) {
	if len(body) < ManifestHeaderSize {
		return nil, Refuse(manifestType, "body is %d bytes, under %d", len(body),
			ManifestHeaderSize)
	}
	var m Manifest
	s := cryptobyte.String(body)
	s.CopyBytes(m.MsgID[:])
	s.CopyBytes(m.SenderSPK[:])
	s.CopyBytes(m.RecipientID[:])
	s.ReadUint32(&m.TotalChunks)
	s.ReadUint32(&m.DataChunks)
	s.ReadUint32(&m.PrekeyID)
	s.ReadUint64(&m.TS)
	s.ReadUint64(&m.Exp)

	hashes := len(s) / HashSize
	if len(s)%HashSize != 0 || (hashes != 0 && hashes != int(m.TotalChunks)) {
		return nil, Refuse(manifestType, "body is %d bytes, fits neither %d nor %d+32*%d",
			len(body), ManifestHeaderSize, ManifestHeaderSize, m.TotalChunks)
	}
	if hashes > 0 {
		m.ChunkHashes = make([][HashSize]byte, hashes)
		for i := range m.ChunkHashes {
			s.CopyBytes(m.ChunkHashes[i][:])
		}
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}
