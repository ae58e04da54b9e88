package discovery

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"unicode/utf8"

	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// SubjectType says whose key a rotation or revocation is about
// (records-server-cli.md §A.3). Values other than the three below are
// invalid on sign and parse.
type SubjectType uint8

// The subject types.
const (
	SubjectUser      SubjectType = 1 // a user identity; subject "user@host"
	SubjectCluster   SubjectType = 2 // a cluster operator; subject its cluster name
	SubjectBootstrap SubjectType = 3 // a bootstrap signer; subject its user domain
)

// Subject length caps, in bytes of the subject as carried (a trailing dot
// counts).
const (
	MaxUserSubjectLen = 255        // SubjectUser
	MaxNameSubjectLen = MaxNameLen // SubjectCluster and SubjectBootstrap
)

// checkSubject applies the subject rules on sign and parse alike.
func checkSubject(typ string, st SubjectType, subject string) error {
	limit := MaxNameSubjectLen
	switch st {
	case SubjectUser:
		limit = MaxUserSubjectLen
	case SubjectCluster, SubjectBootstrap:
	default:
		return records.Refuse(typ, "subject type %d is not 1, 2 or 3", st)
	}
	if len(subject) == 0 || len(subject) > limit {
		return records.Refuse(typ, "subject is %d bytes, want 1..%d", len(subject), limit)
	}
	if !utf8.ValidString(subject) {
		return records.Refuse(typ, "subject is not UTF-8")
	}

	if st != SubjectUser {
		if _, err := names.CheckDNSName(subject, 0); err != nil {
			return records.Refuse(typ, "subject: %v", err)
		}
		return nil
	}
	return checkUserSubject(typ, subject)
}

// checkUserSubject checks a "user@host" subject: it splits at the first
// '@'; the user part is non-empty without surrounding white space (the
// reference strips it instead; no reference writer puts any there), and
// the host is a DNS name (§0.6 item 1) with an optional trailing dot.
func checkUserSubject(typ, subject string) error {
	user, host, ok := strings.Cut(subject, "@")
	if !ok {
		return records.Refuse(typ, "user subject %q is not user@host", subject)
	}
	if user == "" || strings.TrimSpace(user) != user {
		return records.Refuse(typ, "user subject %q has an empty or padded user", subject)
	}
	if _, err := names.CheckDNSName(host, 0); err != nil {
		return records.Refuse(typ, "user subject host: %v", err)
	}
	return nil
}

// NormalizeSubject returns the form in which subjects of type st compare
// equal (records-server-cli.md §A.3): for SubjectUser, the user part with
// surrounding white space removed, "@", and the host lower-cased without
// one trailing dot; for the other types the name lower-cased without one
// trailing dot.
func NormalizeSubject(st SubjectType, subject string) string {
	if st != SubjectUser {
		return strings.ToLower(strings.TrimSuffix(subject, "."))
	}
	user, host, ok := strings.Cut(subject, "@")
	if !ok {
		return subject
	}
	host = strings.TrimSuffix(strings.TrimSpace(host), ".")
	return strings.TrimSpace(user) + "@" + strings.ToLower(host)
}

// Expect narrows what ParseRotation and ParseRevocation accept. The zero
// value accepts any subject and key.
type Expect struct {
	// SPK, when not nil, must equal the rotation's OldSPK or the
	// revocation's RevokedSPK.
	SPK ed25519.PublicKey
	// SubjectType, when not zero, must equal the record's.
	SubjectType SubjectType
	// Subject, when not empty, must equal the record's subject after
	// NormalizeSubject with the record's subject type.
	Subject string
}

// check applies e to a parsed record's key and subject.
func (e Expect) check(typ string, key []byte, st SubjectType, subject string) error {
	if e.SPK != nil && !bytes.Equal(e.SPK, key) {
		return records.Refuse(typ, "key is not the expected key")
	}
	if e.SubjectType != 0 && e.SubjectType != st {
		return records.Refuse(typ, "subject type is %d, not %d", st, e.SubjectType)
	}
	if e.Subject != "" && NormalizeSubject(st, subject) != NormalizeSubject(st, e.Subject) {
		return records.Refuse(typ, "subject is %q, not %q", subject, e.Subject)
	}
	return nil
}

// appendSubject writes subject_type || subject_len || subject.
func appendSubject(b []byte, st SubjectType, subject string) []byte {
	return append(append(b, byte(st), byte(len(subject))), subject...)
}

// readSubject reads subject_type || subject_len || subject and checks it.
func readSubject(typ string, s *cryptobyte.String) (SubjectType, string, error) {
	var st uint8
	var raw cryptobyte.String
	if !s.ReadUint8(&st) || !s.ReadUint8LengthPrefixed(&raw) {
		return 0, "", records.Refuse(typ, "body truncated in subject")
	}
	subject := string(raw)
	if err := checkSubject(typ, SubjectType(st), subject); err != nil {
		return 0, "", err
	}
	return SubjectType(st), subject, nil
}

// readSubjectKey reads magic || subject || key, the head that rotation and
// revocation bodies share; role names the key in errors.
func readSubjectKey(typ, magic, role string, s *cryptobyte.String) (SubjectType, string,
	ed25519.PublicKey, error) {
	if _, err := readMagic(typ, s, magic); err != nil {
		return 0, "", nil, err
	}
	st, subject, err := readSubject(typ, s)
	if err != nil {
		return 0, "", nil, err
	}
	key, err := readKey(typ, role, s)
	if err != nil {
		return 0, "", nil, err
	}
	return st, subject, key, nil
}
