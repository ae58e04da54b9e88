package client

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/keys"

	"golang.org/x/crypto/argon2"
)

// SaltSize is the size of the random per-identity KDF salt made at init.
const SaltSize = 32

// derive turns a passphrase and salt into an identity. Tests swap it for
// a cheap KDF through UseLowCostKDFForTests; the default is never weakened.
var derive = keys.FromPassphrase

// UseLowCostKDFForTests makes every later derivation run Argon2id with a
// single pass over 64 KiB instead of the protocol's cost. Identities made
// this way differ from real ones. It exists only so tests of the CLI and
// of sending and receiving stay fast; never call it outside tests.
func UseLowCostKDFForTests() {
	derive = func(pass string, salt []byte) (*keys.Identity, error) {
		return keys.FromX25519(argon2.IDKey([]byte(pass), salt, 1, 64, 1, keys.Argon2KeyLen))
	}
}

// Derive returns the identity of a passphrase and a hex salt.
func Derive(pass, saltHex string) (*keys.Identity, error) {
	salt, err := hex.DecodeString(saltHex)
	if err != nil {
		return nil, fmt.Errorf("client: kdf_salt is not hex: %w", err)
	}
	id, err := derive(pass, salt)
	if err != nil {
		return nil, fmt.Errorf("client: derive keys: %w", err)
	}
	return id, nil
}

// Unlock derives the identity of cfg from pass and checks it against the
// public key stored at init, failing with ErrWrongPassphrase.
func Unlock(cfg *config.Config, pass string) (*keys.Identity, error) {
	id, err := Derive(pass, cfg.KDFSalt)
	if err != nil {
		return nil, err
	}
	want, err := hex.DecodeString(cfg.VerifyPubkey)
	if err != nil || len(want) != keys.X25519KeySize {
		return nil, fmt.Errorf("client: config verify_pubkey is not a 32-byte hex key")
	}
	if !bytes.Equal(id.X25519Public, want) {
		return nil, ErrWrongPassphrase
	}
	return id, nil
}
