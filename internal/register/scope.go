package register

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
)

// subjectRE is the reference's canonical "user@host" shape.
var subjectRE = regexp.MustCompile(
	`^[a-z0-9][a-z0-9._+-]*@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// CanonicalSubject trims and lower-cases a "user@host" subject and checks
// its shape. Unlike the reference it does not apply NFKC first: non-ASCII
// subjects are refused, which a genuine client never sends.
func CanonicalSubject(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", errors.New("subject must be ASCII")
		}
	}
	if !subjectRE.MatchString(s) {
		return "", errors.New("subject must look like user@host")
	}
	return s, nil
}

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
