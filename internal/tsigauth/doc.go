// Package tsigauth verifies and signs RFC 8945 TSIG for the dmp plugin with
// keys held in the node's store, so keys can be added and revoked while the
// node runs (DECISIONS N5, N5b, N5c).
//
// CoreDNS hands plugins the parsed request, not the bytes that arrived, so
// [Verifier.Verify] packs the parsed message again without its TSIG record
// and checks the MAC over that: first with name compression on, then off.
// Packing again reproduces the exact bytes of nsupdate, knsupdate, miekg/dns
// and dnspython clients. A MAC seen before within the fudge window is a
// replay ([ErrReplay]); the cache lives in the store so several nodes on one
// backend agree.
//
// [Sign] appends a TSIG record to a packed reply with the request MAC
// chained in (RFC 8945 §5.3); [ErrorTSIG] builds the unsigned TSIG record
// of a BADKEY or BADSIG answer (§5.3.2).
//
// Algorithms: hmac-sha256 and hmac-sha512, plus hmac-sha1, hmac-sha224 and
// hmac-sha384; hmac-md5 and anything else answer BADKEY. The truncated
// names hmac-sha256-128, hmac-sha384-192 and hmac-sha512-256 (RFC 8945 §6,
// RFC 4635 §3.1), which dnspython can send, verify with a key of their
// base algorithm; their MAC is exactly the stated size, counts as
// truncated for [Verifier.MinMACSize], and the signed reply carries the
// same name and size. A base name with a MAC cut short (§5.2.2.1) is
// accepted down to the larger of 10 bytes and half the hash, subject to
// the same policy.
package tsigauth
