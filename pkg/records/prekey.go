package records

import (
	"crypto/ed25519"
	"encoding/binary"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Prekey wire constants (message-path.md §10.1).
const (
	PrekeyPrefix   = "v=dmp1;t=prekey;d="
	PrekeyBodySize = 4 + KeySize + 8 // 44
	PrekeyWireSize = len(PrekeyPrefix) + (PrekeyBodySize+SignatureSize+2)/3*4

	prekeyType = "prekey"
)

// Prekey is a one-time X25519 public key that a recipient publishes, signed
// with its identity key, so that senders get forward secrecy.
type Prekey struct {
	ID        uint32        // 1..2^32-1; 0 is reserved for "no prekey"
	Public    [KeySize]byte // X25519 public key
	Exp       uint64        // Unix seconds
	Signature []byte        // set by Sign and the parse functions
}

// Expired reports whether p has expired at now (now > exp). Parsing does
// not check expiry; the sender does.
func (p *Prekey) Expired(now time.Time) bool { return unixNow(now) > p.Exp }

// Body returns the signed body: u32 id || public key || u64 exp.
func (p *Prekey) Body() ([]byte, error) {
	if p.ID == 0 {
		return nil, Refuse(prekeyType, "prekey_id 0 is reserved")
	}
	b := make([]byte, 0, PrekeyBodySize)
	b = binary.BigEndian.AppendUint32(b, p.ID)
	b = append(b, p.Public[:]...)
	return binary.BigEndian.AppendUint64(b, p.Exp), nil
}

// Sign signs p with the owner's identity key, stores the signature and
// returns the TXT value. The record does not name its signer; readers
// verify against the owner's pinned key.
func (p *Prekey) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := p.Body()
	if err != nil {
		return "", err
	}
	sig, err := signBody(prekeyType, priv, nil, body)
	if err != nil {
		return "", err
	}
	p.Signature = sig
	return Frame(PrekeyPrefix, append(body, sig...)), nil
}

// Encode returns the TXT value of p with its stored signature.
func (p *Prekey) Encode() (string, error) {
	body, err := p.Body()
	if err != nil {
		return "", err
	}
	if len(p.Signature) != SignatureSize {
		return "", Refuse(prekeyType, "no signature to encode")
	}
	return Frame(PrekeyPrefix, append(body, p.Signature...)), nil
}

// ParsePrekey decodes a prekey TXT value and verifies it under signer, the
// owner's Ed25519 public key (message-path.md §10.1): prefix, strict
// base64, exactly 108 bytes, prekey_id not 0, the signature, and exp at
// most MaxFuture seconds after now. Expiry is the caller's check; see
// [Prekey.Expired]. Errors are *Error values.
func ParsePrekey(wire string, signer []byte, now time.Time) (*Prekey, error) {
	p, body, err := decodePrekey(wire, now)
	if err != nil {
		return nil, err
	}
	if err := verify(prekeyType, signer, body, p.Signature); err != nil {
		return nil, err
	}
	return p, nil
}

// ParsePrekeyUnverified applies every check of ParsePrekey except the
// signature, for a reader that does not know the owner's key (a node
// taking a prekey from a writer with no registered key, DECISIONS N1).
// Its result proves nothing about who made the record.
func ParsePrekeyUnverified(wire string, now time.Time) (*Prekey, error) {
	p, _, err := decodePrekey(wire, now)
	return p, err
}

// decodePrekey does the structural part of ParsePrekey and returns the
// record with its signature and the signed body.
func decodePrekey(wire string, now time.Time) (*Prekey, []byte, error) {
	blob, err := Unframe(prekeyType, PrekeyPrefix, PrekeyWireSize, wire)
	if err != nil {
		return nil, nil, err
	}
	if len(blob) != PrekeyBodySize+SignatureSize {
		return nil, nil, Refuse(prekeyType, "payload is %d bytes, want %d", len(blob),
			PrekeyBodySize+SignatureSize)
	}
	var p Prekey
	s := cryptobyte.String(blob)
	s.ReadUint32(&p.ID)
	s.CopyBytes(p.Public[:])
	s.ReadUint64(&p.Exp)
	p.Signature = append([]byte(nil), s...)

	if p.ID == 0 {
		return nil, nil, Refuse(prekeyType, "prekey_id 0 is reserved")
	}
	if tooFarAhead(p.Exp, now, MaxFuture) {
		return nil, nil, Refuse(prekeyType, "exp %d is more than %d s ahead", p.Exp, MaxFuture)
	}
	return &p, blob[:PrekeyBodySize], nil
}
