package message

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/pkg/envelope"
	"github.com/dnsmesh/dmp/pkg/erasure"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// Reasons a received message is dropped. Every error from CheckManifest,
// Open and Receive wraps exactly one of them; the text after the reason
// gives detail.
var (
	// ErrNoIdentity is the caller's mistake rather than the sender's: the
	// Recipient has no Identity, so nothing can be checked or opened.
	ErrNoIdentity = errors.New("message: no recipient identity")

	ErrManifest          = errors.New("message: invalid manifest")
	ErrWrongRecipient    = errors.New("message: manifest for another recipient")
	ErrExpired           = errors.New("message: manifest expired")
	ErrLegacyManifest    = errors.New("message: manifest without chunk hashes")
	ErrTooManyChunks     = errors.New("message: more chunks than the erasure code allows")
	ErrMissingChunks     = errors.New("message: too few valid chunks")
	ErrMalformed         = errors.New("message: malformed message")
	ErrHeaderMismatch    = errors.New("message: inner header disagrees with manifest")
	ErrHeaderExpired     = errors.New("message: inner header expired")
	ErrSenderMismatch    = errors.New("message: inner header sender is not the pinned contact")
	ErrPrekeyUnavailable = errors.New("message: prekey secret not held")
	ErrDecrypt           = errors.New("message: decryption failed")
)

// Lookup returns the TXT values at an owner name, the character-strings of
// each RR already joined, in answer order. An error counts as no answer.
type Lookup func(owner string) ([]string, error)

// Recipient holds the receiving side's keys.
type Recipient struct {
	Identity *keys.Identity

	// PrekeySecret returns the X25519 private key of the recipient's
	// prekey id, or false when it is not held (used, expired, never made).
	// Nil means no prekeys are held. It must not consume the prekey: the
	// caller does that only after a successful Open (DECISIONS C6).
	PrekeySecret func(id uint32) ([]byte, bool)

	// PinnedSender returns the X25519 public key pinned for the contact
	// whose Ed25519 key signed the manifest, or nil when there is none. A
	// non-nil key must match the inner header's sender (DECISIONS C4).
	PinnedSender func(senderSPK []byte) []byte
}

// Delivered is a message that opened.
type Delivered struct {
	Body []byte

	// ClaimedFrom is the canonical address from the DMPv2 envelope, ""
	// for v1. It is a claim: the caller verifies it against the sender's
	// identity record before showing it (§4.5).
	ClaimedFrom string

	MsgID     [MsgIDSize]byte
	SenderSPK [records.KeySize]byte
	TS        int64  // the inner header's ts
	PrekeyID  uint32 // 0: opened with the long-term key

	Manifest *records.Manifest

	// Skipped lists chunk values that were passed over on the way.
	Skipped []ChunkSkip
}

// ChunkSkip says why a chunk value was not used.
type ChunkSkip struct {
	Index  int
	Reason string
}

// Receive checks one slot-manifest TXT value found in zone and, if it is
// for r, fetches, checks and opens its message (§15.1 steps 1–3 and 6).
// The caller applies its pin gate and replay cache between CheckManifest
// and Open when it needs them; Receive is both in one call.
func Receive(value, zone string, r Recipient, lookup Lookup, now time.Time) (*Delivered, error) {
	m, err := CheckManifest(value, r.Identity, now)
	if err != nil {
		return nil, err
	}
	return Open(m, zone, r, lookup, now)
}

// CheckManifest parses and verifies a slot-manifest TXT value and checks
// that it is addressed to id, has not expired at now and carries chunk
// hashes.
func CheckManifest(value string, id *keys.Identity, now time.Time) (*records.Manifest, error) {
	if id == nil {
		return nil, ErrNoIdentity
	}
	m, err := records.ParseManifest(value, now)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	if m.RecipientID != id.UserID() {
		return nil, ErrWrongRecipient
	}
	if m.Expired(now) {
		return nil, fmt.Errorf("%w: exp %d", ErrExpired, m.Exp)
	}
	if m.Legacy() {
		return nil, ErrLegacyManifest
	}
	return m, nil
}

// Open fetches the chunks of manifest m from zone, the zone the manifest
// was found in, rebuilds the outer message, checks its header against m
// and opens it (§15.4). m must have passed CheckManifest.
func Open(m *records.Manifest, zone string, r Recipient, lookup Lookup,
	now time.Time) (*Delivered, error) {
	switch {
	case r.Identity == nil:
		return nil, ErrNoIdentity
	case m.Legacy():
		return nil, ErrLegacyManifest
	case len(m.ChunkHashes) != int(m.TotalChunks):
		return nil, fmt.Errorf("%w: %d chunk hashes for %d chunks",
			ErrManifest, len(m.ChunkHashes), m.TotalChunks)
	case m.TotalChunks > erasure.MaxShares:
		return nil, fmt.Errorf("%w: %d", ErrTooManyChunks, m.TotalChunks)
	}
	d := &Delivered{MsgID: m.MsgID, SenderSPK: m.SenderSPK, PrekeyID: m.PrekeyID, Manifest: m}

	shares := fetchShares(m, zone, lookup, d)
	if len(shares) < int(m.DataChunks) {
		return nil, fmt.Errorf("%w: %d of %d needed (skipped: %v)",
			ErrMissingChunks, len(shares), m.DataChunks, d.Skipped)
	}
	outer, err := erasure.Decode(shares, int(m.DataChunks), int(m.TotalChunks))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}

	if err := openOuter(outer, m, r, now.Unix(), d); err != nil {
		return nil, err
	}
	return d, nil
}

// openOuter checks the outer message's header against m, opens it and
// fills d's body, claimed address and ts.
func openOuter(outer []byte, m *records.Manifest, r Recipient, now int64, d *Delivered) error {
	hdr, encrypted, err := splitMessage(outer)
	if err != nil {
		return err
	}
	if err := checkHeader(hdr, m, r, now); err != nil {
		return err
	}
	plaintext, err := decrypt(encrypted, hdr.AAD(m.PrekeyID), m.PrekeyID, r)
	if err != nil {
		return err
	}

	d.Body, d.ClaimedFrom = envelope.Decode(plaintext)
	d.TS = hdr.TS
	return nil
}

// fetchShares collects up to k shares, trying chunk indexes in order and
// each index's values in answer order. A value counts only if it parses
// as a chunk record, hashes to the manifest's chunk hash (checked before
// any RS repair, as the reference does), and unwraps.
func fetchShares(m *records.Manifest, zone string, lookup Lookup, d *Delivered) map[int][]byte {
	msgKey := names.MsgKey(m.MsgID[:], m.RecipientID[:], m.SenderSPK[:])
	shares := make(map[int][]byte)
	for i := 0; i < int(m.TotalChunks) && len(shares) < int(m.DataChunks); i++ {
		values, err := lookup(names.Chunk(i, msgKey, zone))
		if err != nil {
			d.Skipped = append(d.Skipped, ChunkSkip{i, "lookup failed: " + err.Error()})
			continue
		}
		for _, v := range values {
			share, reason := tryChunk(v, m.ChunkHashes[i])
			if reason != "" {
				d.Skipped = append(d.Skipped, ChunkSkip{i, reason})
				continue
			}
			shares[i] = share
			break
		}
	}
	return shares
}

// tryChunk returns the share in one chunk value, or why there is none.
func tryChunk(value string, want [records.HashSize]byte) ([]byte, string) {
	wire, err := records.ParseChunk(value)
	if err != nil {
		return nil, err.Error()
	}
	if sha256.Sum256(wire) != want {
		return nil, "chunk hash mismatch"
	}
	share, err := UnwrapShare(wire)
	if err != nil {
		return nil, err.Error()
	}
	return share, ""
}

// splitMessage parses the outer message into its header and sealed part.
func splitMessage(outer []byte) (*Header, []byte, error) {
	rawHdr, encrypted, err := parseOuter(outer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	hdr, err := ParseHeader(rawHdr)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return hdr, encrypted, nil
}

// checkHeader applies §15.4 step 7, plus the sender pin (DECISIONS C4).
func checkHeader(hdr *Header, m *records.Manifest, r Recipient, now int64) error {
	if hdr.MsgID != m.MsgID {
		return fmt.Errorf("%w: msg_id", ErrHeaderMismatch)
	}
	if hdr.Recipient != m.RecipientID {
		return fmt.Errorf("%w: recipient", ErrHeaderMismatch)
	}
	if hdr.Expired(now) {
		return fmt.Errorf("%w: ts %d + ttl %d", ErrHeaderExpired, hdr.TS, hdr.TTL)
	}
	if r.PinnedSender == nil {
		return nil
	}
	pinned := r.PinnedSender(m.SenderSPK[:])
	if pinned != nil && keys.UserID(pinned) != hdr.Sender {
		return ErrSenderMismatch
	}
	return nil
}

// decrypt opens the sealed part with the prekey secret or the long-term
// key.
func decrypt(encrypted, aad []byte, prekeyID uint32, r Recipient) ([]byte, error) {
	priv := r.Identity.X25519Private
	if prekeyID != 0 {
		var ok bool
		if r.PrekeySecret != nil {
			priv, ok = r.PrekeySecret(prekeyID)
		}
		if !ok {
			return nil, fmt.Errorf("%w: id %d", ErrPrekeyUnavailable, prekeyID)
		}
	}
	pt, err := open(encrypted, aad, priv)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	return pt, nil
}
