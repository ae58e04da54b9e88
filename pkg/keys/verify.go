package keys

import (
	"crypto/ed25519"
	"encoding/hex"
)

// lowOrder holds the Ed25519 public-key encodings that Verify refuses before
// verifying: the eight small-order points (orders 1, 2, 4 and 8) and six
// non-canonical aliases of them. With such a key a forger can make
// signatures that a cofactorless RFC 8032 verifier accepts for many or all
// messages, so every DMP signature check must refuse them. The list matches
// the reference implementation (dmp/core/ed25519_points.py) and the
// small-order table of c2sp.org/CCTV/ed25519.
var lowOrder = func() map[[32]byte]bool {
	m := make(map[[32]byte]bool)
	for _, h := range []string{
		// Canonical small-order points.
		"0100000000000000000000000000000000000000000000000000000000000000",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		// Non-canonical aliases.
		"0100000000000000000000000000000000000000000000000000000000000080",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	} {
		var k [32]byte
		hex.Decode(k[:], []byte(h))
		m[k] = true
	}
	return m
}()

// IsLowOrder reports whether pub is one of the refused low-order Ed25519
// encodings, or is not 32 bytes long at all.
func IsLowOrder(pub []byte) bool {
	if len(pub) != ed25519.PublicKeySize {
		return true
	}
	return lowOrder[[32]byte(pub)]
}

// Verify reports whether sig is a valid Ed25519 signature of msg by pub.
// It applies the DMP verification rule (message-path.md §2.4): the key must
// be exactly 32 bytes and not a low-order encoding, and the signature must
// be exactly 64 bytes. It never panics.
func Verify(pub, msg, sig []byte) bool {
	if IsLowOrder(pub) || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(pub), msg, sig)
}
