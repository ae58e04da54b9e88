package records

import (
	"crypto/ed25519"
	"encoding/binary"
	"slices"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
)

// Identity record wire constants (message-path.md §11).
const (
	IdentityPrefix = "v=dmp1;t=identity;d="

	// MaxUsername is the longest username, in UTF-8 bytes.
	MaxUsername = 64

	// maxVersions is the most versions a suffix lists: its count is a u8.
	maxVersions = 255

	// maxIdentityBody is the longest body: a 64-byte name, the keys, ts
	// and a suffix of 255 versions (its count is one byte).
	maxIdentityBody = 1 + MaxUsername + 2*KeySize + 8 + 1 + maxVersions

	// MaxIdentityWire is the longest identity TXT value.
	MaxIdentityWire = len(IdentityPrefix) + (maxIdentityBody+SignatureSize+2)/3*4

	identityType = "identity"
)

// Identity is an identity record: a username bound to an X25519 key and an
// Ed25519 key, self-signed by the latter.
type Identity struct {
	Username string        // 1..64 UTF-8 bytes
	X25519   [KeySize]byte // key agreement key
	Ed25519  [KeySize]byte // signing key; signs the record
	TS       uint64        // Unix seconds

	// Versions lists the protocol versions the owner reads. Nil or
	// empty means (1). Sign normalises it (sorted, no duplicates); the
	// body carries it only when it is not exactly (1).
	Versions []uint8

	Signature []byte // set by Sign and ParseIdentity
}

// normVersions returns v sorted without duplicates, with nil meaning (1).
func normVersions(v []uint8) []uint8 {
	if len(v) == 0 {
		return []uint8{1}
	}
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// Body returns the signed body:
// u8 len || username || x25519 || ed25519 || u64 ts [|| u8 n || versions].
func (r *Identity) Body() ([]byte, error) {
	if err := checkUsername(r.Username); err != nil {
		return nil, err
	}
	b := make([]byte, 0, maxIdentityBody)
	b = append(b, byte(len(r.Username)))
	b = append(b, r.Username...)
	b = append(b, r.X25519[:]...)
	b = append(b, r.Ed25519[:]...)
	b = binary.BigEndian.AppendUint64(b, r.TS)

	v := normVersions(r.Versions)
	if slices.Equal(v, []uint8{1}) {
		return b, nil
	}
	if len(v) > maxVersions {
		return nil, Refuse(identityType, "%d versions, over the %d a u8 count holds",
			len(v), maxVersions)
	}
	b = append(b, byte(len(v)))
	return append(b, v...), nil
}

// checkUsername applies the username rule: 1..64 bytes of valid UTF-8.
func checkUsername(u string) error {
	if len(u) < 1 || len(u) > MaxUsername {
		return Refuse(identityType, "username is %d bytes, outside 1..%d", len(u), MaxUsername)
	}
	if !utf8.ValidString(u) {
		return Refuse(identityType, "username is not valid UTF-8")
	}
	return nil
}

// Sign signs r with the identity's Ed25519 private key, which must match
// r.Ed25519, stores the signature and returns the TXT value.
func (r *Identity) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := r.Body()
	if err != nil {
		return "", err
	}
	sig, err := signBody(identityType, priv, r.Ed25519[:], body)
	if err != nil {
		return "", err
	}
	r.Signature = sig
	return Frame(IdentityPrefix, append(body, sig...)), nil
}

// Encode returns the TXT value of r with its stored signature.
func (r *Identity) Encode() (string, error) {
	body, err := r.Body()
	if err != nil {
		return "", err
	}
	if len(r.Signature) != SignatureSize {
		return "", Refuse(identityType, "no signature to encode")
	}
	return Frame(IdentityPrefix, append(body, r.Signature...)), nil
}

// ParseIdentity decodes an identity TXT value and verifies it under the
// Ed25519 key it carries (message-path.md §11.3). The username must be 1..64
// bytes of valid UTF-8; a versions suffix must be non-empty, strictly
// increasing, fill the body exactly and differ from (1), which writers
// never put in a suffix. Identity records carry no expiry, so there is no
// clock argument. Errors are *Error values.
func ParseIdentity(wire string) (*Identity, error) {
	blob, err := Unframe(identityType, IdentityPrefix, MaxIdentityWire, wire)
	if err != nil {
		return nil, err
	}
	body, sig, err := splitSig(identityType, blob)
	if err != nil {
		return nil, err
	}
	r, err := decodeIdentityBody(body)
	if err != nil {
		return nil, err
	}
	if err := verify(identityType, r.Ed25519[:], body, sig); err != nil {
		return nil, err
	}
	r.Signature = append([]byte(nil), sig...)
	return r, nil
}

// decodeIdentityBody reads the body fields and the optional suffix.
func decodeIdentityBody(body []byte) (*Identity, error) {
	var r Identity
	var name []byte
	s := cryptobyte.String(body)
	var n uint8
	if !s.ReadUint8(&n) || !s.ReadBytes(&name, int(n)) || !s.CopyBytes(r.X25519[:]) ||
		!s.CopyBytes(r.Ed25519[:]) || !s.ReadUint64(&r.TS) {
		return nil, Refuse(identityType, "body is %d bytes, too short", len(body))
	}
	r.Username = string(name)
	if err := checkUsername(r.Username); err != nil {
		return nil, err
	}
	if s.Empty() {
		r.Versions = []uint8{1}
		return &r, nil
	}

	var v cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&v) || !s.Empty() {
		return nil, Refuse(identityType, "versions suffix does not fill the body")
	}
	if err := checkVersions(v); err != nil {
		return nil, err
	}
	r.Versions = slices.Clone([]uint8(v))
	return &r, nil
}

// checkVersions applies the suffix rules to the listed versions.
func checkVersions(v []byte) error {
	if len(v) == 0 {
		return Refuse(identityType, "empty versions suffix")
	}
	for i := 1; i < len(v); i++ {
		if v[i] <= v[i-1] {
			return Refuse(identityType, "versions are not strictly increasing")
		}
	}
	if len(v) == 1 && v[0] == 1 {
		return Refuse(identityType, "versions suffix (1) is never written")
	}
	return nil
}
