package register

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// subjectRE is the reference's canonical "user@host" shape.
var subjectRE = regexp.MustCompile(
	`^[a-z0-9][a-z0-9._+-]*@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// CanonicalSubject returns the canonical form of a "user@host" subject as
// the reference's canonicalize_subject does (records-server-cli.md §0.6
// item 8): NFKC, then trim white space, then lower-case; the result must
// be ASCII and of the user@host shape. NFKC folds compatibility forms such
// as fullwidth letters onto ASCII, so they name the same subject as their
// ASCII spelling. ASCII is required before lower-casing: Go's Unicode
// lower-casing folds some letters onto ASCII (U+0130 to "i") where
// Python's leaves them non-ASCII and refuses them.
func CanonicalSubject(s string) (string, error) {
	if s == "" {
		return "", errors.New("subject must be a non-empty string")
	}
	s = strings.TrimFunc(norm.NFKC.String(s), isPySpace)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", fmt.Errorf("subject must be ASCII; non-ASCII at byte %d", i)
		}
	}
	s = strings.ToLower(s)
	if !subjectRE.MatchString(s) {
		return "", errors.New("subject must look like user@host")
	}
	return s, nil
}

// isPySpace is Python's str.isspace: Unicode white space plus the
// information separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// ZoneFor returns the zone, without trailing dot, that a key minted for
// subject is scoped under. The reference node serves one zone and scopes
// every key under it (records-server-cli.md §B.5, §B.8). A node serving
// several picks the served zone holding the subject's domain (the
// longest, when zones nest), so alice@b.example gets her names under
// b.example; a subject of any other domain gets the default Zone.
func (c Config) ZoneFor(subject string) string {
	domain := subject[strings.LastIndexByte(subject, '@')+1:]
	best := ""
	for _, z := range c.Zones {
		z = trimZone(z)
		if (domain == z || strings.HasSuffix(domain, "."+z)) && len(z) > len(best) {
			best = z
		}
	}
	if best == "" {
		return trimZone(c.Zone)
	}
	return best
}

func trimZone(z string) string { return strings.TrimSuffix(strings.ToLower(z), ".") }

func hexSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// keyName is <local>-<spk8>-<sha256(subject)[:6]>.<zone>. with the first
// label at most 63 bytes.
func keyName(local, spkHex, subject, zone string) (string, bool) {
	label := local + "-" + spkHex[:8] + "-" + hexSHA(subject)[:6]
	if len(label) > 63 {
		return "", false
	}
	return label + "." + zone + ".", true
}

// suffixes returns the owner-name patterns of a minted key (§B.5): the
// user's identity and prekey names, its legacy claim name, the shared
// wildcards unless the scope is tight, and its own mailbox when the
// registrant proved possession of its X25519 key. Loose scope is the
// whole zone.
func suffixes(mode, local, spkHex, zone string, xpub []byte) []string {
	if mode == ScopeLoose {
		return []string{zone}
	}
	h := hexSHA(local)
	out := []string{
		"id-" + h[:16] + "." + zone,
		"id-" + h[:12] + "." + zone,
		"_dnsmesh-claim-" + spkHex[:16] + "." + zone,
	}
	if mode != ScopeTight {
		out = append(out,
			"_dnsmesh-claim-*."+zone,
			"slot-*.mb-*."+zone,
			"chunk-*-*."+zone,
			"claim-*.mb-*."+zone)
	}
	if xpub != nil {
		rid := sha256.Sum256(xpub)
		out = append(out, "mb-"+hexSHA(string(rid[:]))[:12]+"."+zone)
	}
	return out
}
