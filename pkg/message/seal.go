package message

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Key derivation labels (message-path.md §3.3).
const (
	hkdfSalt = "DMP-v1"
	hkdfInfo = "DMP-Message-Encryption"
)

// Sizes in the sealed and outer formats, in bytes.
const (
	x25519Size = 32
	nonceSize  = chacha20poly1305.NonceSize // 12
	tagSize    = chacha20poly1305.Overhead  // 16

	// encryptedMin is eph_pub || nonce with an empty ciphertext.
	encryptedMin = x25519Size + nonceSize

	// outerSigSize is the always-zero "signature" that ends the outer
	// message. It is never checked by the reference; we require zeros.
	outerSigSize = 32

	// outerMin is u16 length || empty header || signature.
	outerMin = 2 + outerSigSize
)

var (
	// errOpen is the one error every failed decryption returns.
	errOpen = errors.New("message: message authentication failed")

	errOuter = errors.New("message: malformed outer message")
)

// sessionKey runs X25519 between priv and pub and derives the AEAD key
// with HKDF-SHA256. The all-zero shared secret of a low-order pub fails.
func sessionKey(priv, pub []byte) ([]byte, error) {
	sk, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("message: x25519 private key: %w", err)
	}
	pk, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("message: x25519 public key: %w", err)
	}
	shared, err := sk.ECDH(pk)
	if err != nil {
		return nil, fmt.Errorf("message: x25519: %w", err)
	}
	return hkdf.Key(sha256.New, shared, []byte(hkdfSalt), hkdfInfo, chacha20poly1305.KeySize)
}

// seal encrypts plaintext to recipientPub with the ephemeral key ephPriv
// and the given nonce, and returns EncryptedMessage =
// eph_pub(32) || nonce(12) || ciphertext || tag(16).
func seal(plaintext, aad, recipientPub, ephPriv, nonce []byte) ([]byte, error) {
	key, err := sessionKey(ephPriv, recipientPub)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, fmt.Errorf("message: aead: %w", err)
	}
	eph, err := ecdh.X25519().NewPrivateKey(ephPriv)
	if err != nil {
		return nil, fmt.Errorf("message: ephemeral key: %w", err)
	}

	out := make([]byte, 0, encryptedMin+len(plaintext)+tagSize)
	out = append(out, eph.PublicKey().Bytes()...)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// open decrypts an EncryptedMessage with the recipient's private key. Any
// failure, a malformed input or low-order ephemeral key included, is
// errOpen.
func open(encrypted, aad, priv []byte) ([]byte, error) {
	if len(encrypted) < encryptedMin {
		return nil, errOpen
	}
	eph, nonce := encrypted[:x25519Size], encrypted[x25519Size:encryptedMin]
	key, err := sessionKey(priv, eph)
	if err != nil {
		return nil, errOpen
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, errOpen
	}
	pt, err := aead.Open(nil, nonce, encrypted[encryptedMin:], aad)
	if err != nil {
		return nil, errOpen
	}
	return pt, nil
}

// marshalOuter returns the outer message the erasure code carries (§3.4):
// u16(len(header)) || header || encrypted || 0x00 × 32.
func marshalOuter(header, encrypted []byte) []byte {
	out := make([]byte, 0, outerSize(len(header), len(encrypted)))
	out = binary.BigEndian.AppendUint16(out, uint16(len(header)))
	out = append(out, header...)
	out = append(out, encrypted...)
	return append(out, make([]byte, outerSigSize)...)
}

// outerSize is the length of an outer message.
func outerSize(headerLen, encryptedLen int) int {
	return 2 + headerLen + encryptedLen + outerSigSize
}

// parseOuter splits an outer message into its header and EncryptedMessage.
func parseOuter(b []byte) (header, encrypted []byte, err error) {
	if len(b) < outerMin {
		return nil, nil, fmt.Errorf("%w: %d bytes", errOuter, len(b))
	}
	hl := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+hl+outerSigSize {
		return nil, nil, fmt.Errorf("%w: header length %d beyond %d bytes", errOuter, hl, len(b))
	}
	sig := b[len(b)-outerSigSize:]
	if !bytes.Equal(sig, make([]byte, outerSigSize)) {
		return nil, nil, fmt.Errorf("%w: trailing signature field is not zero", errOuter)
	}
	return b[2 : 2+hl], b[2+hl : len(b)-outerSigSize], nil
}
