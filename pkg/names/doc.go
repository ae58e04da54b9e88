// Package names builds and recognises the owner names of every DMP record
// and holds the DNS-name validator that record fields share.
//
// The owner-name catalogue is message-path.md §13 and records-server-cli.md
// §0.5; the validator is records-server-cli.md §0.6 item 1. In the formulas
// below H is SHA-256, hex is lower-case, hash12(x) = hex(H(x))[:12] and
// hash16(x) = hex(H(x))[:16]:
//
//	slot manifest  slot-<N>.mb-<hash12(recipient_id)>.<zone>
//	chunk          chunk-<iiii>-<msg_key>.<zone>
//	identity       id-<hash16(username)>.<domain>                   hash form
//	identity       dmp.<identity_domain>                            zone-anchored form
//	prekey pool    prekeys.id-<hash12(username)>.<domain>
//	rotation       rotate.<identity name> | rotate.cluster.<base> | rotate._dmp.<user_domain>
//	cluster        cluster.<cluster_name>
//	bootstrap      _dmp.<user_domain>
//	claim          claim-<slot>.mb-<hash12(recipient_id)>.<zone>
//	heartbeat      _dnsmesh-heartbeat.<zone>
//	seen graph     _dnsmesh-seen.<zone>
//
// where N = u32be(msg_id[0:4]) mod 10, iiii is the chunk index as four
// decimal digits and msg_key = hex(H(msg_id || recipient_id ||
// sender_spk))[:12].
//
// [Classify] maps an owner name below a served zone back to the record type
// it admits.
package names
