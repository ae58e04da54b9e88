package names

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/dnsmesh/dmp/pkg/keys"
)

// SlotCount is the number of mailbox slots per recipient (slots 0..9).
const SlotCount = 10

// Lengths of the hex hashes that owner names carry, in characters.
const (
	Hash12Len = 12 // mb-, prekeys.id- and chunk msg_key labels
	Hash16Len = 16 // id- labels
)

// Label prefixes and fixed labels of the owner-name catalogue.
const (
	slotPrefix      = "slot-"
	claimPrefix     = "claim-"
	chunkPrefix     = "chunk-"
	mailboxPrefix   = "mb-"
	idPrefix        = "id-"
	prekeysLabel    = "prekeys"
	anchorLabel     = "dmp"
	rotateLabel     = "rotate"
	clusterLabel    = "cluster"
	bootstrapLabel  = "_dmp"
	heartbeatLabel  = "_dnsmesh-heartbeat"
	seenLabel       = "_dnsmesh-seen"
	chunkIndexWidth = 4
)

// hexHash returns the first n lower-case hex characters of H(b).
func hexHash(n int, b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:n]
}

// stripDots removes every trailing dot, as the reference's rstrip('.')
// does for identity and prekey domains.
func stripDots(s string) string { return strings.TrimRight(s, ".") }

// SlotIndex returns the slot a message's manifest goes to:
// u32be(msgID[0:4]) mod 10. It returns -1 for a msgID shorter than 4 bytes.
func SlotIndex(msgID []byte) int {
	if len(msgID) < 4 {
		return -1
	}
	return int(binary.BigEndian.Uint32(msgID) % SlotCount)
}

// Mailbox returns the mailbox label "mb-<hash12(recipientID)>".
func Mailbox(recipientID []byte) string { return mailboxPrefix + keys.MailboxHash(recipientID) }

// Slot returns the slot manifest owner "slot-<slot>.mb-<hash12>.<zone>".
// The zone is used as given.
func Slot(slot int, recipientID []byte, zone string) string {
	return fmt.Sprintf("%s%d.%s.%s", slotPrefix, slot, Mailbox(recipientID), zone)
}

// Claim returns the claim owner "claim-<slot>.mb-<hash12>.<zone>", zone
// being a claim provider's zone or the recipient's home zone, as given.
func Claim(slot int, recipientID []byte, zone string) string {
	return fmt.Sprintf("%s%d.%s.%s", claimPrefix, slot, Mailbox(recipientID), zone)
}

// MsgKey returns hex(H(msgID || recipientID || senderSPK))[:12], the label
// part that ties a message's chunks together.
func MsgKey(msgID, recipientID, senderSPK []byte) string {
	b := make([]byte, 0, len(msgID)+len(recipientID)+len(senderSPK))
	b = append(append(append(b, msgID...), recipientID...), senderSPK...)
	return hexHash(Hash12Len, b)
}

// Chunk returns the chunk owner "chunk-<iiii>-<msgKey>.<zone>", i written as
// at least four decimal digits. The zone is used as given.
func Chunk(i int, msgKey, zone string) string {
	return fmt.Sprintf("%s%0*d-%s.%s", chunkPrefix, chunkIndexWidth, i, msgKey, zone)
}

// IdentityHashed returns the hash-form identity owner
// "id-<hash16(username)>.<domain>", with trailing dots removed from domain.
// The username is hashed as given (the hash is case-sensitive).
func IdentityHashed(username, domain string) string {
	return idPrefix + hexHash(Hash16Len, []byte(username)) + "." + stripDots(domain)
}

// IdentityAnchored returns the zone-anchored identity owner
// "dmp.<domain>", with trailing dots removed from domain.
func IdentityAnchored(domain string) string { return anchorLabel + "." + stripDots(domain) }

// PrekeyPool returns the prekey RRset owner
// "prekeys.id-<hash12(username)>.<domain>", trailing dots removed.
func PrekeyPool(username, domain string) string {
	return prekeysLabel + "." + idPrefix + hexHash(Hash12Len, []byte(username)) + "." +
		stripDots(domain)
}

// RotationUserHashed returns "rotate." + IdentityHashed(username, domain).
func RotationUserHashed(username, domain string) string {
	return rotateLabel + "." + IdentityHashed(username, domain)
}

// RotationUserAnchored returns "rotate.dmp.<domain>", trailing dots removed.
func RotationUserAnchored(domain string) string {
	return rotateLabel + "." + IdentityAnchored(domain)
}

// RotationCluster returns "rotate.cluster.<base>" for a cluster base domain
// that passes [CheckDNSName], with one trailing dot removed.
func RotationCluster(base string) (string, error) {
	name, err := CheckDNSName(base, 0)
	if err != nil {
		return "", fmt.Errorf("cluster rotation name: %w", err)
	}
	return rotateLabel + "." + clusterLabel + "." + name, nil
}

// RotationBootstrap returns "rotate._dmp.<userDomain>" for a user domain
// that passes [CheckDNSName], with one trailing dot removed.
func RotationBootstrap(userDomain string) (string, error) {
	name, err := CheckDNSName(userDomain, 0)
	if err != nil {
		return "", fmt.Errorf("bootstrap rotation name: %w", err)
	}
	return rotateLabel + "." + bootstrapLabel + "." + name, nil
}

// Cluster returns the cluster manifest owner "cluster.<clusterName>" for a
// name that passes [CheckDNSName], one trailing dot removed. The record
// itself caps the name at [MaxFieldName] bytes; the name helper, like the
// reference's, does not.
func Cluster(clusterName string) (string, error) {
	name, err := CheckDNSName(clusterName, 0)
	if err != nil {
		return "", fmt.Errorf("cluster name: %w", err)
	}
	return clusterLabel + "." + name, nil
}

// Bootstrap returns the bootstrap owner "_dmp.<userDomain>" for a domain
// that passes [CheckDNSName], one trailing dot removed (the record caps it
// at [MaxFieldName] bytes, the helper does not).
func Bootstrap(userDomain string) (string, error) {
	name, err := CheckDNSName(userDomain, 0)
	if err != nil {
		return "", fmt.Errorf("bootstrap name: %w", err)
	}
	return bootstrapLabel + "." + name, nil
}

// Heartbeat returns a node's own heartbeat owner
// "_dnsmesh-heartbeat.<zone>", zone as given.
func Heartbeat(zone string) string { return heartbeatLabel + "." + zone }

// Seen returns the seen-graph owner "_dnsmesh-seen.<zone>", zone as given.
func Seen(zone string) string { return seenLabel + "." + zone }
