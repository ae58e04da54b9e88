package discovery

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"time"

	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// Rotation record constants (records-server-cli.md §A.3).
const (
	// RotationPrefix starts every rotation record TXT value.
	RotationPrefix = "v=dmp1;t=rotation;"
	rotationMagic  = "DMPROT1"
	rotationType   = "rotation"
)

// Rotation is a signed statement that NewSPK succeeds OldSPK for Subject.
// Both keys sign the same body; neither signature alone is enough.
type Rotation struct {
	SubjectType SubjectType
	Subject     string            // see checkSubject for the rules per type
	OldSPK      ed25519.PublicKey // 32 bytes; signs first
	NewSPK      ed25519.PublicKey // 32 bytes, not OldSPK; signs second
	Seq         uint64            // strictly increasing along a chain
	TS          uint64            // unix seconds, informational
	Exp         uint64            // unix seconds; valid while now <= Exp
}

// Body returns the signed body of r after checking every field.
func (r *Rotation) Body() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	b := appendSubject([]byte(rotationMagic), r.SubjectType, r.Subject)
	b = append(b, r.OldSPK...)
	b = append(b, r.NewSPK...)
	b = binary.BigEndian.AppendUint64(b, r.Seq)
	b = binary.BigEndian.AppendUint64(b, r.TS)
	b = binary.BigEndian.AppendUint64(b, r.Exp)
	return b, nil
}

// check applies the field rules on sign and parse alike.
func (r *Rotation) check() error {
	if err := checkSubject(rotationType, r.SubjectType, r.Subject); err != nil {
		return err
	}
	if err := checkKey(rotationType, "old key", r.OldSPK); err != nil {
		return err
	}
	if err := checkKey(rotationType, "new key", r.NewSPK); err != nil {
		return err
	}
	if bytes.Equal(r.OldSPK, r.NewSPK) {
		return records.Refuse(rotationType, "old and new key are the same")
	}
	return nil
}

// Sign returns the TXT value of r co-signed by oldPriv (the key of
// r.OldSPK) and then newPriv (the key of r.NewSPK).
func (r *Rotation) Sign(oldPriv, newPriv ed25519.PrivateKey) (string, error) {
	body, err := r.Body()
	if err != nil {
		return "", err
	}
	if err := checkSigner(rotationType, "old key", oldPriv, r.OldSPK); err != nil {
		return "", err
	}
	if err := checkSigner(rotationType, "new key", newPriv, r.NewSPK); err != nil {
		return "", err
	}
	return frameSigned(rotationType, RotationPrefix, body, oldPriv, newPriv)
}

// ParseRotation parses wire, verifies both signatures under the embedded
// keys, applies want, and requires now in [Exp-5y, Exp]. Every failure is
// a *records.Error.
func ParseRotation(wire string, now time.Time, want Expect) (*Rotation, error) {
	body, sigs, err := unframeSigned(rotationType, RotationPrefix, wire, 2)
	if err != nil {
		return nil, err
	}
	r, err := decodeRotation(body)
	if err != nil {
		return nil, err
	}

	if err := verify(rotationType, r.OldSPK, body, sigs[0]); err != nil {
		return nil, err
	}
	if err := verify(rotationType, r.NewSPK, body, sigs[1]); err != nil {
		return nil, err
	}
	if err := want.check(rotationType, r.OldSPK, r.SubjectType, r.Subject); err != nil {
		return nil, err
	}

	if err := checkExpiry(rotationType, r.Exp, unixSeconds(now), maxAnchorFuture); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeRotation parses a rotation body without verifying it.
func decodeRotation(body []byte) (*Rotation, error) {
	s := cryptobyte.String(body)
	r := new(Rotation)
	var err error
	r.SubjectType, r.Subject, r.OldSPK, err = readSubjectKey(rotationType, rotationMagic,
		"old key", &s)
	if err != nil {
		return nil, err
	}
	if r.NewSPK, err = readKey(rotationType, "new key", &s); err != nil {
		return nil, err
	}
	if !s.ReadUint64(&r.Seq) || !s.ReadUint64(&r.TS) || !s.ReadUint64(&r.Exp) {
		return nil, records.Refuse(rotationType, "body truncated in seq, ts or exp")
	}
	if !s.Empty() {
		return nil, records.Refuse(rotationType, "%d trailing bytes after exp", len(s))
	}

	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}
