// Package message turns a plaintext into the DNS TXT records a reference
// DMP client publishes for it, and those records back into the plaintext
// with every receive-side check (message-path.md §3–9 and §13–15).
//
// # Sending
//
// [Build] seals one message:
//
//	header    = canonical DMPHeader JSON (total=1, chunk=0)            §3.1
//	aad       = header with total=0, chunk=0 || u32(prekey_id)         §3.2
//	plaintext = DMPv2 envelope(body, sender address) or body           §4
//	key       = HKDF-SHA256(X25519(eph, recipient or prekey),
//	                        salt "DMP-v1", info "DMP-Message-Encryption")
//	sealed    = eph_pub(32) || nonce(12) || ChaCha20-Poly1305(key, nonce,
//	                                                  plaintext, aad)  §3.3
//	outer     = u16(len(header)) || header || sealed || 0x00 × 32      §3.4
//
// then splits outer into n erasure shares (package erasure), wraps each as
// checksum(8) || share(128) || RS parity(32) (package rs) and publishes
//
//	chunk-<iiii>-<msg_key>.<zone>   "v=dmp1;t=chunk;d=" || b64(wire chunk i)
//	slot-<s>.mb-<hash12>.<zone>     signed slot manifest with H(wire chunk i)
//
// Randomness (msg_id, ephemeral key, nonce) and the clock are inputs, so
// the output can be pinned byte for byte. The outer message is limited to
// erasure.MaxPayload bytes; larger messages are refused before sealing
// with [ErrTooLarge] (DECISIONS W6).
//
// # Receiving
//
// [CheckManifest] verifies a slot manifest, its recipient, expiry and chunk
// hashes; [Open] fetches chunks through a [Lookup] function, checks each
// against its manifest hash before RS repair (DECISIONS C1), rebuilds the
// outer message, checks the inner header against the manifest (and, where
// the contact is pinned, the sender, DECISIONS C4), and opens it with the
// long-term key or the manifest's prekey. Every drop wraps one of the
// exported Err* reasons; malformed input never panics (DECISIONS C2).
// Stateful rules (pin gate, replay cache, prekey consumption) belong to
// the caller.
package message
