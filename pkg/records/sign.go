package records

import (
	"bytes"
	"crypto/ed25519"
	"time"

	"github.com/dnsmesh/dmp/pkg/keys"
)

// Sizes and time windows shared by the record codecs.
const (
	SignatureSize = ed25519.SignatureSize // 64 bytes, every signature
	KeySize       = ed25519.PublicKeySize // 32 bytes, every Ed25519 key
	MsgIDSize     = 16                    // bytes of a message id
	HashSize      = 32                    // bytes of a SHA-256 value

	// MaxFuture is how far past the reader's clock a manifest, prekey or
	// claim may expire, in seconds (30 days, message-path.md §1).
	MaxFuture = 30 * 86400

	// ClaimSkew is how far ahead of the reader's clock a claim's ts may
	// be, in seconds (message-path.md §12.2).
	ClaimSkew = 300

	// maxInt63 bounds the claim's u64 ts and exp fields: the reference
	// keeps them below 2^63.
	maxInt63 = 1<<63 - 1
)

// unixNow returns now in whole seconds, clamped at zero, as the reference's
// int(time.time()).
func unixNow(now time.Time) uint64 {
	s := now.Unix()
	if s < 0 {
		return 0
	}
	return uint64(s)
}

// tooFarAhead reports whether t lies more than limit seconds after now.
func tooFarAhead(t uint64, now time.Time, limit uint64) bool {
	n := unixNow(now)
	return t > n && t-n > limit
}

// signBody signs body with priv after checking that priv is a whole Ed25519
// private key and, when spk is not nil, that its public half is spk: the
// reference refuses to sign a body that names another key.
func signBody(typ string, priv ed25519.PrivateKey, spk, body []byte) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, Refuse(typ, "signing key is %d bytes, want %d", len(priv),
			ed25519.PrivateKeySize)
	}
	pub := priv.Public().(ed25519.PublicKey)
	if spk != nil && !bytes.Equal(pub, spk) {
		return nil, Refuse(typ, "signing key does not match the key in the body")
	}
	return ed25519.Sign(priv, body), nil
}

// splitSig cuts the trailing signature off a decoded blob. It refuses a blob
// too short to hold a signature and at least one body byte.
func splitSig(typ string, blob []byte) (body, sig []byte, err error) {
	if len(blob) <= SignatureSize {
		return nil, nil, Refuse(typ, "payload is %d bytes, too short", len(blob))
	}
	n := len(blob) - SignatureSize
	return blob[:n:n], blob[n:], nil
}

// verify checks sig over body under pub with the DMP rule (keys.Verify).
// Every failure reads the same.
func verify(typ string, pub, body, sig []byte) error {
	if !keys.Verify(pub, body, sig) {
		return Refuse(typ, "signature does not verify")
	}
	return nil
}

// b64Len returns the length of the padded base64 encoding of n bytes.
func b64Len(n int) int { return (n + 2) / 3 * 4 }
