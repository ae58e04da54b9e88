// Package records encodes, signs, parses and verifies the TXT values of the
// DMP message-path records: chunk, slot manifest, identity, prekey and
// claim (message-path.md §8–§12, records-server-cli.md §A.6, DECISIONS
// W1–W9). The discovery records live in package discovery and share
// [Frame], [Unframe] and [Error].
//
// # Framing
//
// Every value is an ASCII prefix followed by the standard padded base64 of
// the payload (strict: no whitespace, no other alphabet, canonical final
// bits, DECISIONS W1). Values longer than 255 bytes travel as several TXT
// strings of one RR, joined with no separator before parsing (W7).
// Signatures are Ed25519 (RFC 8032) over the body alone, checked with
// [keys.Verify]. All integers are unsigned big-endian; widths are in bytes.
//
// # Layouts
//
// Chunk, prefix "v=dmp1;t=chunk;d=", unsigned, exactly 241 characters:
//
//	payload = checksum(8) || block(128) || rs_parity(32)
//
// Slot manifest, prefix "v=dmp1;t=manifest;d=":
//
//	body    = msg_id(16) || sender_spk(32) || recipient_id(32)
//	          || total_chunks n(u32) || data_chunks k(u32) || prekey_id(u32)
//	          || ts(u64) || exp(u64) [ || chunk_hash(32) × n ]
//	payload = body || sig(64)          sig by sender_spk
//
// The legacy body stops after exp (108 bytes); the current one carries
// chunk_hash[i] = SHA-256(wire chunk i) for all n chunks (W9). Rules:
// 1 ≤ k ≤ n ≤ 1024, and exp at most 30 days after the reader's now.
//
// Identity, prefix "v=dmp1;t=identity;d=":
//
//	body    = name_len(u8) || username(name_len, UTF-8, 1..64)
//	          || x25519_pk(32) || ed25519_spk(32) || ts(u64)
//	          [ || versions_len(u8) || versions(versions_len × u8) ]
//	payload = body || sig(64)          sig by ed25519_spk
//
// The versions suffix is present only when the sorted, duplicate-free set
// is not (1); when present it is non-empty and strictly increasing.
//
// Prekey, prefix "v=dmp1;t=prekey;d=", exactly 162 characters:
//
//	body    = prekey_id(u32, not 0) || x25519_pk(32) || exp(u64)
//	payload = body || sig(64)          sig by the owner's identity key
//
// The record does not name its signer: readers verify under the owner's
// pinned key, and exp is at most 30 days after now.
//
// Claim, prefix "v=dmp1;t=claim;" (no "d="), at most 255 bytes in all:
//
//	body    = "DMPCL01"(7) || msg_id(16) || sender_spk(32)
//	          || dom_len(u8) || sender_mailbox_domain(dom_len, ASCII 0x21..0x7e, 1..43)
//	          || slot(u8, 0..9) || ts(u64) || exp(u64)
//	payload = body || sig(64)          sig by sender_spk
//
// Rules: ts < exp < 2^63; at parse ts ≤ now + 300 s, now < exp ≤ now +
// 30 days; the owner label claim-N must equal slot (W4, [ParseClaimAt]).
//
// # Checks
//
// Each type's structural rules run on both sign and parse; parsing also
// rejects trailing bytes and oversized values before decoding, and applies
// the clock windows above against an explicit now (the types without a
// clock rule, chunk and identity, take none). Sign refuses a key that does
// not match the body's signer field. Every refusal is an [*Error] naming
// the record type and the reason; every signature failure reads the same.
package records
