package names

import (
	"strconv"
	"strings"
)

// Kind is the record type an owner name admits.
type Kind int

// The kinds [Classify] returns.
const (
	KindUnknown          Kind = iota // no DMP record lives at this name
	KindManifest                     // slot-<N>.mb-<hash12>.<domain>
	KindChunk                        // chunk-<iiii>-<msg_key>.<domain>
	KindIdentityHashed               // id-<hash16>.<domain>
	KindIdentityAnchored             // dmp.<domain>
	KindPrekeys                      // prekeys.id-<hash12>.<domain>
	KindRotation                     // rotate.<identity, cluster or bootstrap name>
	KindCluster                      // cluster.<cluster_name>
	KindBootstrap                    // _dmp.<user_domain>
	KindClaim                        // claim-<N>.mb-<hash12>.<domain>
	KindHeartbeat                    // _dnsmesh-heartbeat.<zone>
	KindSeen                         // _dnsmesh-seen.<zone>
)

var kindNames = [...]string{
	KindUnknown:          "unknown",
	KindManifest:         "manifest",
	KindChunk:            "chunk",
	KindIdentityHashed:   "identity",
	KindIdentityAnchored: "identity (zone-anchored)",
	KindPrekeys:          "prekey",
	KindRotation:         "rotation",
	KindCluster:          "cluster",
	KindBootstrap:        "bootstrap",
	KindClaim:            "claim",
	KindHeartbeat:        "heartbeat",
	KindSeen:             "seen",
}

// String returns a short lower-case name for k.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// MaxChunkIndex is the largest chunk index a chunk owner name may carry: a
// manifest lists at most 1024 chunks (message-path.md §9.2).
const MaxChunkIndex = 1023

// Owner is an owner name taken apart by [Classify].
type Owner struct {
	Kind Kind

	// Slot is the slot number 0..9 of a manifest or claim name.
	Slot int

	// Index is the chunk index of a chunk name.
	Index int

	// Hash is the hex label part: the mailbox hash12 of a manifest or
	// claim, the msg_key of a chunk, the hash16 of a hash-form identity
	// (or of its rotation name) and the hash12 of a prekey pool.
	Hash string

	// Of is, for KindRotation, the kind of name being rotated:
	// KindIdentityHashed, KindIdentityAnchored, KindCluster or
	// KindBootstrap.
	Of Kind

	// Domain is what follows the record's own labels: the served zone or
	// a name below it, lower-case, without a trailing dot.
	Domain string
}

// Classify says which record type an owner name admits, for a node serving
// zone. Both arguments are DNS names in presentation form; case is folded
// and one trailing dot is ignored. The rules, applied to the labels of
// owner that lie below zone (the relative labels), are:
//
//   - owner must be below zone, and every relative label must be 1..63
//     bytes of [a-z0-9_-]; otherwise KindUnknown.
//   - The first relative label, and the second where the shape has two,
//     decide the kind; the rest of the name (at least the zone) is Domain:
//     "slot-N" then "mb-<12 hex>" is a manifest, "claim-N" then
//     "mb-<12 hex>" a claim (N one digit 0..9, DECISIONS W4),
//     "chunk-<4 digits>-<12 hex>" a chunk (index at most MaxChunkIndex),
//     "id-<16 hex>" a hash-form identity, "dmp" a zone-anchored identity,
//     "prekeys" then "id-<12 hex>" a prekey pool, "cluster" a cluster
//     manifest and "_dmp" a bootstrap record.
//   - "rotate" followed by a hash-form identity, "dmp", "cluster" or "_dmp"
//     shape is a rotation (or revocation) name; Of says which.
//   - "_dnsmesh-heartbeat" and "_dnsmesh-seen" are heartbeat names only
//     directly under zone, since a node publishes them for its own zone.
//   - Hex is lower-case hex after case folding; anything else is
//     KindUnknown, including the legacy "_dnsmesh-claim-…" names.
//
// The owner equal to zone (the apex) is KindUnknown. Classify does not
// check that Domain is the zone; callers that need that (a node taking an
// anonymous claim) compare Domain themselves.
func Classify(owner, zone string) Owner {
	rel, zone, ok := relativeLabels(owner, zone)
	if !ok || len(rel) == 0 {
		return Owner{}
	}
	o, used := classifyLabels(rel)
	if o.Kind == KindUnknown {
		return Owner{}
	}
	if (o.Kind == KindHeartbeat || o.Kind == KindSeen) && len(rel) != 1 {
		return Owner{}
	}
	o.Domain = strings.Join(append(rel[used:len(rel):len(rel)], zone), ".")
	return o
}

// relativeLabels lower-cases owner and zone, strips one trailing dot from
// each and returns the labels of owner above zone and the normalised zone.
// It reports false when owner is not zone or below it, or when a relative
// label is empty, too long or has a byte outside [a-z0-9_-].
func relativeLabels(owner, zone string) ([]string, string, bool) {
	owner = strings.ToLower(strings.TrimSuffix(owner, "."))
	zone = strings.ToLower(strings.TrimSuffix(zone, "."))
	if zone == "" || owner == zone {
		return nil, zone, owner == zone && zone != ""
	}
	prefix, ok := strings.CutSuffix(owner, "."+zone)
	if !ok {
		return nil, zone, false
	}
	rel := strings.Split(prefix, ".")
	for _, l := range rel {
		if !relLabelOK(l) {
			return nil, zone, false
		}
	}
	return rel, zone, true
}

// relLabelOK reports whether l is 1..63 bytes of [a-z0-9_-].
func relLabelOK(l string) bool {
	if l == "" || len(l) > MaxLabel {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// classifyLabels matches the leading relative labels against the record
// shapes and returns the match and how many labels it used.
func classifyLabels(rel []string) (Owner, int) {
	first := rel[0]
	second := ""
	if len(rel) > 1 {
		second = rel[1]
	}
	switch {
	case strings.HasPrefix(first, slotPrefix), strings.HasPrefix(first, claimPrefix):
		return mailboxName(first, second)
	case strings.HasPrefix(first, chunkPrefix):
		return chunkName(first)
	case first == prekeysLabel:
		if h, ok := hexLabel(second, idPrefix, Hash12Len); ok {
			return Owner{Kind: KindPrekeys, Hash: h}, 2
		}
		return Owner{}, 0
	case first == rotateLabel && len(rel) > 1:
		inner, used := identityOrAnchor(rel[1:])
		if inner.Kind == KindUnknown {
			return Owner{}, 0
		}
		return Owner{Kind: KindRotation, Of: inner.Kind, Hash: inner.Hash}, used + 1
	case first == heartbeatLabel:
		return Owner{Kind: KindHeartbeat}, 1
	case first == seenLabel:
		return Owner{Kind: KindSeen}, 1
	}
	return identityOrAnchor(rel)
}

// identityOrAnchor matches the one-label shapes that rotation names wrap:
// id-<hash16>, dmp, cluster and _dmp.
func identityOrAnchor(rel []string) (Owner, int) {
	switch rel[0] {
	case anchorLabel:
		return Owner{Kind: KindIdentityAnchored}, 1
	case clusterLabel:
		return Owner{Kind: KindCluster}, 1
	case bootstrapLabel:
		return Owner{Kind: KindBootstrap}, 1
	}
	if h, ok := hexLabel(rel[0], idPrefix, Hash16Len); ok {
		return Owner{Kind: KindIdentityHashed, Hash: h}, 1
	}
	return Owner{}, 0
}

// mailboxName matches "slot-N" or "claim-N" followed by "mb-<hash12>".
func mailboxName(first, second string) (Owner, int) {
	kind, digits := KindManifest, strings.TrimPrefix(first, slotPrefix)
	if strings.HasPrefix(first, claimPrefix) {
		kind, digits = KindClaim, strings.TrimPrefix(first, claimPrefix)
	}
	if len(digits) != 1 || digits[0] < '0' || digits[0] > '9' {
		return Owner{}, 0
	}
	h, ok := hexLabel(second, mailboxPrefix, Hash12Len)
	if !ok {
		return Owner{}, 0
	}
	return Owner{Kind: kind, Slot: int(digits[0] - '0'), Hash: h}, 2
}

// chunkName matches "chunk-<4 digits>-<hash12>".
func chunkName(label string) (Owner, int) {
	rest := strings.TrimPrefix(label, chunkPrefix)
	if len(rest) != chunkIndexWidth+1+Hash12Len || rest[chunkIndexWidth] != '-' {
		return Owner{}, 0
	}
	index := 0
	for i := 0; i < chunkIndexWidth; i++ {
		c := rest[i]
		if c < '0' || c > '9' {
			return Owner{}, 0
		}
		index = index*10 + int(c-'0')
	}
	h, ok := hexLabel(rest[chunkIndexWidth+1:], "", Hash12Len)
	if !ok || index > MaxChunkIndex {
		return Owner{}, 0
	}
	return Owner{Kind: KindChunk, Index: index, Hash: h}, 1
}

// hexLabel reports whether label is prefix followed by exactly n lower-case
// hex characters, and returns those characters.
func hexLabel(label, prefix string, n int) (string, bool) {
	h, ok := strings.CutPrefix(label, prefix)
	if !ok || len(h) != n {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return h, true
}
