package discovery

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"sort"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// Bootstrap record constants (records-server-cli.md §A.2).
const (
	// BootstrapPrefix starts every bootstrap record TXT value.
	BootstrapPrefix = "v=dmp1;t=bootstrap;"
	bootstrapMagic  = "DMPBS01"
	bootstrapType   = "bootstrap"

	MaxBootstrapEntries = 16 // entries per record; at least one is required
)

// Bootstrap is a signed bootstrap record: the zone operator of UserDomain
// lists the clusters that serve it, like an MX RRset for DMP.
type Bootstrap struct {
	UserDomain string            // DNS name, served at _dmp.<UserDomain>
	SignerSPK  ed25519.PublicKey // 32 bytes; must equal the pinned key
	Seq        uint64            // higher wins
	Exp        uint64            // unix seconds; valid while now <= Exp
	Entries    []BootstrapEntry  // 1..MaxBootstrapEntries, by ascending priority
}

// BootstrapEntry points at one cluster.
type BootstrapEntry struct {
	Priority          uint16            // lower is preferred
	ClusterBaseDomain string            // DNS name; the manifest is at cluster.<it>
	OperatorSPK       ed25519.PublicKey // 32 bytes; the key to pin for that cluster
}

// Body returns the signed body of b after checking every field. Names
// lose one trailing dot and the entries are written stably sorted by
// priority, as the reference does; b itself is not changed.
func (b *Bootstrap) Body() ([]byte, error) {
	domain, err := signName(bootstrapType, "user domain", b.UserDomain)
	if err != nil {
		return nil, err
	}
	if err := checkKey(bootstrapType, "signer key", b.SignerSPK); err != nil {
		return nil, err
	}
	entries, err := canonEntries(b.Entries)
	if err != nil {
		return nil, err
	}

	out := []byte(bootstrapMagic)
	out = binary.BigEndian.AppendUint64(out, b.Seq)
	out = binary.BigEndian.AppendUint64(out, b.Exp)
	out = append(out, b.SignerSPK...)
	out = append(append(out, byte(len(domain))), domain...)
	out = append(out, byte(len(entries)))
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, e.Priority)
		out = append(append(out, byte(len(e.ClusterBaseDomain))), e.ClusterBaseDomain...)
		out = append(out, e.OperatorSPK...)
	}
	return out, nil
}

// canonEntries checks the entries and returns a copy with stripped names,
// stably sorted by priority.
func canonEntries(in []BootstrapEntry) ([]BootstrapEntry, error) {
	if len(in) == 0 || len(in) > MaxBootstrapEntries {
		return nil, records.Refuse(bootstrapType, "has %d entries, want 1..%d",
			len(in), MaxBootstrapEntries)
	}
	out := make([]BootstrapEntry, len(in))
	for i, e := range in {
		name, err := signName(bootstrapType, "cluster base domain", e.ClusterBaseDomain)
		if err != nil {
			return nil, err
		}
		if err := checkKey(bootstrapType, "entry operator key", e.OperatorSPK); err != nil {
			return nil, err
		}
		out[i] = BootstrapEntry{e.Priority, name, e.OperatorSPK}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out, checkDuplicates(out)
}

// checkDuplicates refuses two entries with the same priority and the same
// base domain up to case. Equal priorities alone are allowed.
func checkDuplicates(entries []BootstrapEntry) error {
	type key struct {
		prio uint16
		name string
	}
	seen := make(map[key]bool, len(entries))
	for _, e := range entries {
		k := key{e.Priority, strings.ToLower(e.ClusterBaseDomain)}
		if seen[k] {
			return records.Refuse(bootstrapType, "entry (%d, %q) appears twice",
				e.Priority, e.ClusterBaseDomain)
		}
		seen[k] = true
	}
	return nil
}

// Sign returns the TXT value of b signed by the zone operator key priv,
// whose public half must be b.SignerSPK.
func (b *Bootstrap) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := b.Body()
	if err != nil {
		return "", err
	}
	if err := checkSigner(bootstrapType, "signer key", priv, b.SignerSPK); err != nil {
		return "", err
	}
	return frameSigned(bootstrapType, BootstrapPrefix, body, priv)
}

// Best returns the preferred entry, the first one. A parsed record always
// has one; Best panics on a Bootstrap without entries.
func (b *Bootstrap) Best() BootstrapEntry { return b.Entries[0] }

// ParseBootstrap verifies wire under the pinned zone signer key and
// returns the record. The embedded signer key must equal pinned, now must
// lie in [Exp-5y, Exp], and when domain is not empty the record's user
// domain must equal it (case-insensitive, one trailing dot ignored).
// Every failure is a *records.Error.
func ParseBootstrap(wire string, now time.Time, pinned ed25519.PublicKey,
	domain string) (*Bootstrap, error) {
	if err := checkKey(bootstrapType, "pinned signer key", pinned); err != nil {
		return nil, err
	}
	return parseBootstrap(wire, now, pinned, domain)
}

// ParseBootstrapUnpinned is ParseBootstrap for callers that hold no pinned
// key, such as a node checking a write (DECISIONS N1): it verifies under
// the embedded signer key, which proves the record intact and well formed
// but not that its signer is trusted.
func ParseBootstrapUnpinned(wire string, now time.Time, domain string) (*Bootstrap, error) {
	return parseBootstrap(wire, now, nil, domain)
}

func parseBootstrap(wire string, now time.Time, pinned []byte, domain string) (*Bootstrap, error) {
	body, sigs, err := unframeSigned(bootstrapType, BootstrapPrefix, wire, 1)
	if err != nil {
		return nil, err
	}
	b, err := decodeBootstrap(body)
	if err != nil {
		return nil, err
	}

	if pinned == nil {
		pinned = b.SignerSPK
	}
	if err := verify(bootstrapType, pinned, body, sigs[0]); err != nil {
		return nil, err
	}
	if !bytes.Equal(b.SignerSPK, pinned) {
		return nil, records.Refuse(bootstrapType, "embedded signer key is not the pinned key")
	}

	if err := checkExpiry(bootstrapType, b.Exp, unixSeconds(now), maxAnchorFuture); err != nil {
		return nil, err
	}
	if domain != "" && !names.SameDNSName(b.UserDomain, domain) {
		return nil, records.Refuse(bootstrapType, "record is for %q, not %q", b.UserDomain, domain)
	}
	return b, nil
}

// decodeBootstrap parses a bootstrap body without verifying it.
func decodeBootstrap(body []byte) (*Bootstrap, error) {
	s := cryptobyte.String(body)
	b := new(Bootstrap)
	if _, err := readMagic(bootstrapType, &s, bootstrapMagic); err != nil {
		return nil, err
	}
	if !s.ReadUint64(&b.Seq) || !s.ReadUint64(&b.Exp) {
		return nil, records.Refuse(bootstrapType, "body truncated in header")
	}
	var err error
	if b.SignerSPK, err = readKey(bootstrapType, "signer key", &s); err != nil {
		return nil, err
	}
	if b.UserDomain, err = readName(bootstrapType, "user domain", &s); err != nil {
		return nil, err
	}

	var count uint8
	if !s.ReadUint8(&count) {
		return nil, records.Refuse(bootstrapType, "body truncated in entry count")
	}
	if count == 0 || count > MaxBootstrapEntries {
		return nil, records.Refuse(bootstrapType, "has %d entries, want 1..%d",
			count, MaxBootstrapEntries)
	}
	for range count {
		e, err := readEntry(&s)
		if err != nil {
			return nil, err
		}
		b.Entries = append(b.Entries, e)
	}
	if !s.Empty() {
		return nil, records.Refuse(bootstrapType, "%d trailing bytes after the last entry", len(s))
	}

	if err := checkEntryOrder(b.Entries); err != nil {
		return nil, err
	}
	return b, nil
}

// readEntry reads one bootstrap entry.
func readEntry(s *cryptobyte.String) (BootstrapEntry, error) {
	var e BootstrapEntry
	if !s.ReadUint16(&e.Priority) {
		return e, records.Refuse(bootstrapType, "body truncated in an entry")
	}
	var err error
	if e.ClusterBaseDomain, err = readName(bootstrapType, "cluster base domain", s); err != nil {
		return e, err
	}
	e.OperatorSPK, err = readKey(bootstrapType, "entry operator key", s)
	return e, err
}

// checkEntryOrder refuses duplicates and entries out of priority order.
// Signers always sort, so an unsorted body is a second encoding of the
// same record.
func checkEntryOrder(entries []BootstrapEntry) error {
	for i := 1; i < len(entries); i++ {
		if entries[i].Priority < entries[i-1].Priority {
			return records.Refuse(bootstrapType, "entries are not sorted by priority")
		}
	}
	return checkDuplicates(entries)
}
