package keys

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters that turn a passphrase into an X25519 private key
// (message-path.md §2.1). They are protocol constants: any other value
// derives a different identity, so they are not configurable.
const (
	Argon2Time    = 2         // passes
	Argon2Memory  = 32 * 1024 // KiB, that is 32 MiB
	Argon2Threads = 2         // lanes
	Argon2KeyLen  = 32        // bytes of output, the X25519 private key
)

// MinSaltLen is the shortest salt FromPassphrase accepts, in bytes.
const MinSaltLen = 8

// DefaultSalt is the salt used when an identity has none configured.
var DefaultSalt = []byte("DMP-default-v2-argon2id")

// Ed25519Domain is appended to the X25519 private key before hashing to get
// the Ed25519 seed (message-path.md §2.2).
const Ed25519Domain = "DMP-v1-Ed25519-signing-key"

// Sizes of the identity's keys and identifiers, in bytes or characters.
const (
	X25519KeySize  = 32
	UserIDSize     = sha256.Size
	MailboxHashLen = 12 // lower-case hex characters
	FingerprintLen = 16 // lower-case hex characters
)

// ErrSalt is returned by FromPassphrase for a salt shorter than MinSaltLen.
var ErrSalt = errors.New("keys: salt shorter than 8 bytes")

// ErrPrivateKey is returned by FromX25519 for a key that is not 32 bytes.
var ErrPrivateKey = errors.New("keys: x25519 private key is not 32 bytes")

// Identity is a DMP identity: an X25519 key pair for key agreement and the
// Ed25519 key pair derived from it for signatures.
type Identity struct {
	X25519Private []byte             // 32 bytes, unclamped, as derived
	X25519Public  []byte             // 32 bytes
	Ed25519Seed   []byte             // 32 bytes, H(X25519Private || Ed25519Domain)
	Ed25519       ed25519.PrivateKey // 64 bytes
	Ed25519Public ed25519.PublicKey  // 32 bytes
}

// FromPassphrase derives an identity from a passphrase and salt with
// Argon2id (message-path.md §2.1). A nil salt means DefaultSalt; a salt
// shorter than MinSaltLen is refused with ErrSalt.
func FromPassphrase(pass string, salt []byte) (*Identity, error) {
	if salt == nil {
		salt = DefaultSalt
	}
	if len(salt) < MinSaltLen {
		return nil, ErrSalt
	}
	priv := argon2.IDKey([]byte(pass), salt, Argon2Time, Argon2Memory, Argon2Threads,
		Argon2KeyLen)
	return FromX25519(priv)
}

// FromX25519 builds an identity from a raw 32-byte X25519 private key. The
// reference test vectors feed their seeds in this way. The bytes are kept
// as given; X25519 clamps inside the scalar multiplication.
func FromX25519(priv []byte) (*Identity, error) {
	if len(priv) != X25519KeySize {
		return nil, ErrPrivateKey
	}
	sk, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("keys: x25519 private key: %w", err)
	}

	h := sha256.New()
	h.Write(priv)
	h.Write([]byte(Ed25519Domain))
	seed := h.Sum(nil)
	edPriv := ed25519.NewKeyFromSeed(seed)

	return &Identity{
		X25519Private: append([]byte(nil), priv...),
		X25519Public:  sk.PublicKey().Bytes(),
		Ed25519Seed:   seed,
		Ed25519:       edPriv,
		Ed25519Public: edPriv.Public().(ed25519.PublicKey),
	}, nil
}

// UserID returns H(X25519Public), the identifier that manifests carry as
// recipient_id.
func (id *Identity) UserID() [UserIDSize]byte { return UserID(id.X25519Public) }

// MailboxHash returns the identity's 12-character mailbox hash.
func (id *Identity) MailboxHash() string {
	uid := id.UserID()
	return MailboxHash(uid[:])
}

// Fingerprint returns the identity's 16-character fingerprint.
func (id *Identity) Fingerprint() string {
	return Fingerprint(id.X25519Public, id.Ed25519Public)
}

// Sign returns the Ed25519 signature of msg by the identity.
func (id *Identity) Sign(msg []byte) []byte { return ed25519.Sign(id.Ed25519, msg) }

// SharedSecret returns the X25519 shared secret between the identity and a
// peer's public key. It fails for a key that is not 32 bytes or that gives
// the all-zero output (a low-order point).
func (id *Identity) SharedSecret(peerPublic []byte) ([]byte, error) {
	sk, err := ecdh.X25519().NewPrivateKey(id.X25519Private)
	if err != nil {
		return nil, fmt.Errorf("keys: x25519 private key: %w", err)
	}
	pk, err := ecdh.X25519().NewPublicKey(peerPublic)
	if err != nil {
		return nil, fmt.Errorf("keys: x25519 peer key: %w", err)
	}
	secret, err := sk.ECDH(pk)
	if err != nil {
		return nil, fmt.Errorf("keys: x25519: %w", err)
	}
	return secret, nil
}

// UserID returns H(x25519Pub), the user_id of message-path.md §2.3.
func UserID(x25519Pub []byte) [UserIDSize]byte { return sha256.Sum256(x25519Pub) }

// MailboxHash returns hex(H(userID))[:12], the mailbox hash (hash12) that
// slot and claim owner names carry after "mb-".
func MailboxHash(userID []byte) string { return hexHash(MailboxHashLen, userID) }

// Fingerprint returns hex(H(x25519Pub || ed25519Pub))[:16], the identity
// fingerprint the CLI shows and accepts.
func Fingerprint(x25519Pub, ed25519Pub []byte) string {
	return hexHash(FingerprintLen, x25519Pub, ed25519Pub)
}

// hexHash returns the first n lower-case hex characters of H(parts...).
func hexHash(n int, parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}
