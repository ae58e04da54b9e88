package message

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dnsmesh/dmp/pkg/envelope"
	"github.com/dnsmesh/dmp/pkg/erasure"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

const (
	// MaxTTL is the longest message lifetime: receivers refuse manifests
	// that expire more than records.MaxFuture seconds ahead.
	MaxTTL = records.MaxFuture * time.Second

	// ephemeralSize is the size of the ephemeral X25519 private key.
	ephemeralSize = x25519Size
)

// ErrTooLarge reports a message whose outer form exceeds the erasure
// code's limit. Its text names the limit.
var ErrTooLarge = errors.New("message: message too large")

// Message is everything Build needs to seal one message and lay it out as
// DNS records.
type Message struct {
	Sender *keys.Identity

	// SenderAddr is the canonical user@host address put in the DMPv2
	// envelope. Empty sends a v1 plaintext; the caller leaves it empty when
	// the recipient does not advertise version 2 (§4.4).
	SenderAddr string

	// Recipient is the recipient's long-term X25519 public key.
	Recipient []byte

	// Prekey is the recipient's verified, unexpired prekey to seal to, or
	// nil to use the long-term key (prekey_id 0, no forward secrecy).
	Prekey *Prekey

	Body []byte

	// Zone is the sender's mailbox zone, where every record is published.
	Zone string

	// TTL is the message lifetime in whole seconds, 1 s to MaxTTL. It
	// becomes the header ttl, the manifest's exp − ts and the DNS TTL.
	TTL time.Duration

	// Now is the send time; its Unix seconds become ts.
	Now time.Time

	// Rand supplies, in this order, the 16-byte msg_id, the 32-byte
	// ephemeral X25519 private key and the 12-byte nonce. Nil means
	// crypto/rand. Tests pin all three with a fixed reader.
	Rand io.Reader
}

// Prekey is a recipient's one-time X25519 key as read from its prekey
// record.
type Prekey struct {
	ID     uint32 // 1..2^32−1
	Public []byte // 32 bytes
}

// Record is one TXT value to publish at an owner name. Values longer than
// 255 bytes go out as several character-strings (pkg/txt).
type Record struct {
	Owner string
	Value string
}

// Sent describes a built message.
type Sent struct {
	MsgID    [MsgIDSize]byte
	PrekeyID uint32 // 0 when sealed to the long-term key
	Slot     int
	K, N     int

	Chunks   []Record // chunk i at index i
	Manifest Record
}

// Records returns every record of the message in publishing order: the
// chunks, then the manifest, which must go last (§14).
func (s *Sent) Records() []Record {
	return append(append([]Record(nil), s.Chunks...), s.Manifest)
}

// Build seals m and returns the records a reference client would publish
// for it, byte for byte (message-path.md §14 steps 2–11). A message too
// large for the erasure code is refused up front with ErrTooLarge.
func Build(m Message) (*Sent, error) {
	ttl, err := checkMessage(&m)
	if err != nil {
		return nil, err
	}
	secrets, err := draw(m.Rand)
	if err != nil {
		return nil, err
	}

	outer, hdr, prekeyID, err := sealOuter(&m, ttl, secrets)
	if err != nil {
		return nil, err
	}
	return layout(outer, &manifestFields{
		msgID: hdr.MsgID, recipientID: hdr.Recipient, prekeyID: prekeyID,
		ts: uint64(hdr.TS), exp: uint64(hdr.TS + ttl),
	}, m.Sender, m.Zone)
}

// manifestFields are the manifest values that do not come from the shares.
type manifestFields struct {
	msgID       [MsgIDSize]byte
	recipientID [records.HashSize]byte
	prekeyID    uint32
	ts, exp     uint64
}

// layout splits an outer message into chunk records and signs the manifest
// that points at them (§14 steps 8–11).
func layout(outer []byte, mf *manifestFields, sender *keys.Identity, zone string) (*Sent, error) {
	shares, k, n, err := erasure.Encode(outer)
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}

	sent := &Sent{MsgID: mf.msgID, PrekeyID: mf.prekeyID, K: k, N: n}
	msgKey := names.MsgKey(mf.msgID[:], mf.recipientID[:], sender.Ed25519Public)
	hashes := make([][records.HashSize]byte, n)
	for i, share := range shares {
		wire, err := WrapShare(share)
		if err != nil {
			return nil, err
		}
		value, err := records.EncodeChunk(wire)
		if err != nil {
			return nil, fmt.Errorf("message: chunk %d: %w", i, err)
		}
		hashes[i] = sha256.Sum256(wire)
		sent.Chunks = append(sent.Chunks, Record{Owner: names.Chunk(i, msgKey, zone), Value: value})
	}

	man := &records.Manifest{
		MsgID: mf.msgID, RecipientID: mf.recipientID, TotalChunks: uint32(n),
		DataChunks: uint32(k), PrekeyID: mf.prekeyID, TS: mf.ts, Exp: mf.exp,
		ChunkHashes: hashes,
	}
	copy(man.SenderSPK[:], sender.Ed25519Public)
	value, err := man.Sign(sender.Ed25519)
	if err != nil {
		return nil, fmt.Errorf("message: sign manifest: %w", err)
	}
	sent.Slot = names.SlotIndex(mf.msgID[:])
	sent.Manifest = Record{Owner: names.Slot(sent.Slot, mf.recipientID[:], zone), Value: value}
	return sent, nil
}

// checkMessage validates m and returns its TTL in seconds.
func checkMessage(m *Message) (int64, error) {
	switch {
	case m.Sender == nil:
		return 0, errors.New("message: no sender identity")
	case len(m.Recipient) != x25519Size:
		return 0, fmt.Errorf("message: recipient key is %d bytes, want %d",
			len(m.Recipient), x25519Size)
	case m.Prekey != nil && (m.Prekey.ID == 0 || len(m.Prekey.Public) != x25519Size):
		return 0, errors.New("message: prekey needs a non-zero id and a 32-byte key")
	case m.Zone == "":
		return 0, errors.New("message: no sender zone")
	case m.TTL < time.Second || m.TTL > MaxTTL || m.TTL%time.Second != 0:
		return 0, fmt.Errorf("message: ttl %v is not a whole number of seconds in 1s..%v",
			m.TTL, MaxTTL)
	case m.Now.Unix() < 0:
		return 0, fmt.Errorf("message: send time %v is before 1970", m.Now)
	}
	return int64(m.TTL / time.Second), nil
}

// randomness holds what Build draws from Message.Rand.
type randomness struct {
	msgID     [MsgIDSize]byte
	ephemeral [ephemeralSize]byte
	nonce     [nonceSize]byte
}

func draw(r io.Reader) (*randomness, error) {
	if r == nil {
		r = rand.Reader
	}
	var s randomness
	for _, b := range [][]byte{s.msgID[:], s.ephemeral[:], s.nonce[:]} {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("message: read randomness: %w", err)
		}
	}
	return &s, nil
}

// sealOuter builds the header, checks the size limit, seals the envelope
// and returns the outer message (§3).
func sealOuter(m *Message, ttl int64, s *randomness) ([]byte, *Header, uint32, error) {
	hdr := &Header{
		V: 1, Type: TypeData, MsgID: s.msgID, Sender: m.Sender.UserID(),
		Recipient: keys.UserID(m.Recipient), Total: 1, Chunk: 0, TS: m.Now.Unix(), TTL: ttl,
	}
	to, prekeyID := m.Recipient, uint32(0)
	if m.Prekey != nil {
		to, prekeyID = m.Prekey.Public, m.Prekey.ID
	}

	plaintext := envelope.Encode(m.Body, m.SenderAddr)
	hdrBytes := hdr.Marshal()
	if err := checkSize(len(hdrBytes), len(plaintext), len(m.Body)); err != nil {
		return nil, nil, 0, err
	}

	encrypted, err := seal(plaintext, hdr.AAD(prekeyID), to, s.ephemeral[:], s.nonce[:])
	if err != nil {
		return nil, nil, 0, err
	}
	return marshalOuter(hdrBytes, encrypted), hdr, prekeyID, nil
}

// checkSize refuses a message whose outer form would exceed what the
// erasure code carries (DECISIONS W6), naming the limit in body bytes.
func checkSize(hdrLen, plaintextLen, bodyLen int) error {
	limit := bodyLimit(hdrLen, plaintextLen-bodyLen)
	if bodyLen <= limit {
		return nil
	}
	return TooLarge(fmt.Sprintf("body is %d bytes", bodyLen), limit)
}

// bodyLimit is the largest body that fits beside a header of hdrLen bytes
// and an envelope adding overhead bytes to the body.
func bodyLimit(hdrLen, overhead int) int {
	fixed := outerSize(hdrLen, encryptedMin+tagSize) // everything but the plaintext
	return max(erasure.MaxPayload-fixed-overhead, 0)
}

// MaxBody returns the largest body Build accepts for m, whose Body is not
// looked at: the limit depends only on the header (its ts and ttl digits)
// and the DMPv2 envelope (SenderAddr), so a caller holding a body too big
// to read whole can still name the exact figure. It fails as Build does
// for an m that Build refuses for other reasons.
func MaxBody(m Message) (int, error) {
	ttl, err := checkMessage(&m)
	if err != nil {
		return 0, err
	}
	hdr := &Header{V: 1, Type: TypeData, Total: 1, TS: m.Now.Unix(), TTL: ttl}
	return bodyLimit(len(hdr.Marshal()), len(envelope.Encode(nil, m.SenderAddr))), nil
}

// TooLarge returns the ErrTooLarge error naming limit, the largest body in
// bytes; what says how big the refused body is.
func TooLarge(what string, limit int) error {
	return fmt.Errorf("%w: %s, the limit is %d bytes "+
		"(%d-byte outer message carried in at most %d chunks)",
		ErrTooLarge, what, limit, erasure.MaxPayload, erasure.MaxShares-1)
}
