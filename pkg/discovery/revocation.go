package discovery

import (
	"crypto/ed25519"
	"encoding/binary"
	"time"

	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// Revocation record constants (records-server-cli.md §A.4).
const (
	// RevocationPrefix starts every revocation record TXT value.
	RevocationPrefix = "v=dmp1;t=revocation;"
	revocationMagic  = "DMPRV01"
	revocationType   = "revocation"

	// MaxRevocationSkew is how far past now a revocation's ts may lie, in
	// seconds; later ones are refused as future-dated.
	MaxRevocationSkew = 300
)

// Reason says why a key was revoked. Values other than the four below are
// invalid on sign and parse.
type Reason uint8

// The revocation reasons.
const (
	ReasonCompromise Reason = 1 // the key is assumed compromised
	ReasonRoutine    Reason = 2 // routine; a rotation was already published
	ReasonLostKey    Reason = 3 // the key was lost
	ReasonOther      Reason = 4 // anything else
)

// Revocation is a signed statement, made by the key itself, that
// RevokedSPK is dead for good for Subject. It has no expiry.
type Revocation struct {
	SubjectType SubjectType
	Subject     string            // see checkSubject for the rules per type
	RevokedSPK  ed25519.PublicKey // 32 bytes; also the signer
	Reason      Reason
	TS          uint64 // unix seconds
}

// Body returns the signed body of r after checking every field.
func (r *Revocation) Body() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	b := appendSubject([]byte(revocationMagic), r.SubjectType, r.Subject)
	b = append(b, r.RevokedSPK...)
	b = append(b, byte(r.Reason))
	b = binary.BigEndian.AppendUint64(b, r.TS)
	return b, nil
}

// check applies the field rules on sign and parse alike.
func (r *Revocation) check() error {
	if err := checkSubject(revocationType, r.SubjectType, r.Subject); err != nil {
		return err
	}
	if err := checkKey(revocationType, "revoked key", r.RevokedSPK); err != nil {
		return err
	}
	if r.Reason < ReasonCompromise || r.Reason > ReasonOther {
		return records.Refuse(revocationType, "reason code %d is not 1..4", r.Reason)
	}
	return nil
}

// Sign returns the TXT value of r signed by priv, the revoked key itself.
func (r *Revocation) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := r.Body()
	if err != nil {
		return "", err
	}
	if err := checkSigner(revocationType, "revoked key", priv, r.RevokedSPK); err != nil {
		return "", err
	}
	return frameSigned(revocationType, RevocationPrefix, body, priv)
}

// ParseRevocation parses wire, verifies it under the embedded revoked key
// and applies want. A revocation is permanent, so by default any age is
// accepted; maxAge > 0 refuses one whose TS is more than maxAge before
// now. A TS more than MaxRevocationSkew seconds after now is always
// refused. Every failure is a *records.Error.
func ParseRevocation(wire string, now time.Time, want Expect,
	maxAge time.Duration) (*Revocation, error) {
	body, sigs, err := unframeSigned(revocationType, RevocationPrefix, wire, 1)
	if err != nil {
		return nil, err
	}
	r, err := decodeRevocation(body)
	if err != nil {
		return nil, err
	}

	if err := verify(revocationType, r.RevokedSPK, body, sigs[0]); err != nil {
		return nil, err
	}
	if err := want.check(revocationType, r.RevokedSPK, r.SubjectType, r.Subject); err != nil {
		return nil, err
	}

	if err := checkRevocationAge(r.TS, unixSeconds(now), maxAge); err != nil {
		return nil, err
	}
	return r, nil
}

// checkRevocationAge applies the optional age cap and the future-date
// limit without overflowing.
func checkRevocationAge(ts, now uint64, maxAge time.Duration) error {
	if maxAge > 0 && ts < now && now-ts > uint64(maxAge/time.Second) {
		return records.Refuse(revocationType, "ts %d is older than the %d s cap", ts,
			uint64(maxAge/time.Second))
	}
	if ts > now && ts-now > MaxRevocationSkew {
		return records.Refuse(revocationType, "ts %d is more than %d s in the future", ts,
			MaxRevocationSkew)
	}
	return nil
}

// decodeRevocation parses a revocation body without verifying it.
func decodeRevocation(body []byte) (*Revocation, error) {
	s := cryptobyte.String(body)
	r := new(Revocation)
	var err error
	r.SubjectType, r.Subject, r.RevokedSPK, err = readSubjectKey(revocationType,
		revocationMagic, "revoked key", &s)
	if err != nil {
		return nil, err
	}
	var reason uint8
	if !s.ReadUint8(&reason) || !s.ReadUint64(&r.TS) {
		return nil, records.Refuse(revocationType, "body truncated in reason or ts")
	}
	if !s.Empty() {
		return nil, records.Refuse(revocationType, "%d trailing bytes after ts", len(s))
	}

	r.Reason = Reason(reason)
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}
