// Package discovery signs and parses the five DMP discovery and
// key-management records: cluster manifest, bootstrap record, rotation,
// revocation and heartbeat (records-server-cli.md §0, §A.1–§A.5, and
// DECISIONS W1–W3, W8). Values are byte for byte those of the reference
// implementation, DNSMeshProtocol v0.7.5.
//
// # Framing
//
// Every record is one TXT value, split into 255-byte strings by writers
// and joined by readers (package txt):
//
//	prefix || base64(body || sig [|| sig2])
//
// The base64 is standard, padded and strict (DECISIONS W1). The whole
// value is at most [MaxWireLen] (1200) bytes, checked on sign and parse.
// Each signature is 64 bytes of pure Ed25519 (RFC 8032) over the body
// alone; keys are checked against the low-order list (keys.Verify). The
// prefix is not signed, so a parser only accepts its own prefix and its
// own magic: cluster manifests and claims share the magic DMPCL01, and
// only the prefix tells them apart.
//
// All integers are unsigned and big-endian. The names in cluster manifests
// and bootstrap records are DNS names under the record-field rule of
// records-server-cli.md §0.6 item 1 (package names), at most [MaxNameLen]
// (64) bytes, written without a trailing dot. A parser refuses a name
// that still has one, and every other second encoding of a value, so that
// parse then sign gives back the same bytes.
//
// # Cluster manifest (§A.1)
//
// Prefix "v=dmp1;t=cluster;", one signature by the cluster operator, whose
// key clients pin.
//
//	body = "DMPCL01" (7) || seq (8) || exp (8) || operator_spk (32)
//	       || name_len (1) || name (name_len)
//	       || node_count (1) || node (node_count times)
//	node = id_len (1) || id (id_len: 1..16, printable ASCII)
//	       || http_len (2) || http_endpoint (http_len: 1..128, UTF-8)
//	       || dns_len (2) || dns_endpoint (dns_len: 0..64, UTF-8; 0 = none)
//
// node_count is 1..32 on sign and on parse (DECISIONS W3); node ids are
// unique. A parser verifies under the pinned key, which must also equal
// operator_spk, and accepts now in [exp − 5·365 days, exp].
//
// # Bootstrap record (§A.2)
//
// Prefix "v=dmp1;t=bootstrap;", one signature by the zone operator of the
// user domain, whose key clients pin.
//
//	body  = "DMPBS01" (7) || seq (8) || exp (8) || signer_spk (32)
//	        || domain_len (1) || user_domain (domain_len)
//	        || entry_count (1) || entry (entry_count times)
//	entry = priority (2) || base_len (1) || cluster_base_domain (base_len)
//	        || operator_spk (32)
//
// entry_count is 1..16. Entries are in ascending priority, stable for
// equal priorities (Sign sorts them; a parser refuses any other order),
// and no two share a priority and a base domain up to case. Pinning and
// the time window are as for cluster manifests.
//
// # Rotation (§A.3)
//
// Prefix "v=dmp1;t=rotation;", two signatures over the same body: sig_old
// by old_spk, then sig_new by new_spk.
//
//	body = "DMPROT1" (7) || subject_type (1) || subject_len (1)
//	       || subject (subject_len) || old_spk (32) || new_spk (32)
//	       || seq (8) || ts (8) || exp (8)
//
// subject_type is 1 (user identity, subject "user@host", up to 255 bytes),
// 2 (cluster operator) or 3 (bootstrap signer), whose subjects are DNS
// names of up to 64 bytes that may end in one dot; every other value is
// invalid. old_spk and new_spk differ. A parser accepts now in
// [exp − 5·365 days, exp].
//
// # Revocation (§A.4)
//
// Prefix "v=dmp1;t=revocation;", one signature by revoked_spk itself.
//
//	body = "DMPRV01" (7) || subject_type (1) || subject_len (1)
//	       || subject (subject_len) || revoked_spk (32) || reason (1)
//	       || ts (8)
//
// Subjects are as for rotations. reason is 1 (compromise), 2 (routine),
// 3 (lost key) or 4 (other); every other value is invalid. A revocation
// never expires unless the caller sets a maximum age; a ts more than 300 s
// after now is refused.
//
// # Heartbeat (§A.5)
//
// Prefix "v=dmp1;t=heartbeat;", one signature by operator_spk. The
// reference node uses its 32-byte operator key file directly as the
// Ed25519 seed.
//
//	body = "DMPHB03" (7) || endpoint_len (2) || endpoint (endpoint_len)
//	       || operator_spk (32) || version_len (1) || version (version_len)
//	       || capabilities (2) || zone_len (1) || claim_provider_zone (zone_len)
//	       || ts (8) || exp (8)
//
// The legacy magic "DMPHB02" has the same layout without zone_len and the
// zone; it is parsed but never signed. endpoint is 1..255 bytes,
// http(s)://host[:port] and nothing more, and an IP literal host must lie
// outside every range in forbiddenRanges (DECISIONS W8). version is 0..32
// ASCII bytes; the zone 0..64 printable ASCII bytes without space, checked
// on parse as well as sign (W8). Bit 0 of capabilities is
// [CapClaimProvider]; other bits are kept. ts < exp < 2^63. A parser
// requires |ts − now| within the caller's skew (normally 300 s) and
// now < exp ≤ now + 30 days.
//
// # Errors and clocks
//
// Every Sign and Parse function returns a *records.Error naming the record
// type and the reason; signature failures all read "signature does not
// verify". Parsers never panic and take the current time as an argument
// (DECISIONS W2).
package discovery
