// Package update turns one RFC 2136 UPDATE message into a store.Update for
// the dmp plugin, or refuses it with the rcode and extended DNS error text
// to answer (records-server-cli.md §B.4, §B.10; DECISIONS N1, N4, N6).
//
// [Parse] checks the zone section (one SOA question naming a served zone,
// else FORMERR or NOTAUTH), the prerequisites of RFC 2136 §2.4 (TXT RRsets
// and names go to the store, the synthesized apex SOA and NS are answered
// here), and the update section: class IN adds TXT values, class NONE
// deletes one value, class ANY deletes the TXT RRset. The strings of one TXT
// record are joined with no separator and must be UTF-8. Every name must lie
// in the zone (NOTZONE).
//
// A signed writer must hold a key whose scope covers each change (package
// scope). An unsigned writer may only add exactly one claim record at
// claim-<slot>.mb-<hash12>.<zone> whose body slot matches the owner.
//
// Validation on write ([Validate]): each owner-name shape admits only its
// record type (pkg/names.Classify). Self-authenticating records must
// verify; a prekey verifies against the key registered with the writer's
// TSIG key when there is one; chunks, cluster and bootstrap records must
// parse.
package update
