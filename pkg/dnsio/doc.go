// Package dnsio carries DMP records over DNS: TXT reads through configured
// resolvers or straight to a node (TCP when an answer is truncated), a
// writer that sends TSIG-signed RFC 2136 UPDATEs and checks the signed
// replies, and the HTTP client of the node's key registration
// (records-server-cli.md §B.4, §B.8; DECISIONS C12, W7).
//
// Values are raw byte strings at this package's edges. A value longer than
// 255 bytes travels as several character-strings of one TXT RR, split and
// joined by package txt.
package dnsio
