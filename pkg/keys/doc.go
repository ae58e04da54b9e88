// Package keys derives DMP identities and applies the DMP Ed25519
// verification rule (message-path.md §1–§2).
//
// Derivation, with H = SHA-256:
//
//	x25519_priv  = Argon2id(passphrase, salt, t=2, m=32 MiB, p=2, 32 bytes)
//	ed25519_seed = H(x25519_priv || "DMP-v1-Ed25519-signing-key")
//	user_id      = H(x25519_pub)
//	mailbox hash = hex(H(user_id))[:12]
//	fingerprint  = hex(H(x25519_pub || ed25519_pub))[:16]
//
// The salt defaults to "DMP-default-v2-argon2id" and is at least 8 bytes.
// Every signature check goes through [Verify], which refuses the low-order
// Ed25519 keys before verifying.
package keys
