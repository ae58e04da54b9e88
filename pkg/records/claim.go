package records

import (
	"crypto/ed25519"
	"encoding/binary"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Claim wire constants (message-path.md §12.2, records-server-cli.md §A.6).
const (
	ClaimPrefix = "v=dmp1;t=claim;" // no "d=" key
	ClaimMagic  = "DMPCL01"         // shared with the cluster manifest body

	// MaxClaimDomain is the longest sender mailbox domain, in bytes.
	MaxClaimDomain = 43

	// MaxClaimWire is the cap on the whole TXT value, in bytes: a claim
	// fits one TXT character-string.
	MaxClaimWire = 255

	// MaxSlot is the highest mailbox slot.
	MaxSlot = 9

	claimFixed = len(ClaimMagic) + MsgIDSize + KeySize + 1 + 1 + 8 + 8 // 73 + domain
	claimType  = "claim"
)

// Claim is a signed pointer saying that SenderSPK has message MsgID for the
// recipient named by the owner name, in zone Domain, slot Slot.
type Claim struct {
	MsgID     [MsgIDSize]byte
	SenderSPK [KeySize]byte
	Domain    string // sender mailbox domain: 1..43 bytes of ASCII 0x21..0x7e
	Slot      uint8  // 0..9
	TS        uint64 // Unix seconds, below 2^63
	Exp       uint64 // Unix seconds, after TS, below 2^63
	Signature []byte // set by Sign and ParseClaim
}

// Body returns the signed body after the checks of message-path.md §12.2
// (domain counted in bytes and ASCII only, DECISIONS W5).
func (c *Claim) Body() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, claimFixed+len(c.Domain))
	b = append(b, ClaimMagic...)
	b = append(b, c.MsgID[:]...)
	b = append(b, c.SenderSPK[:]...)
	b = append(b, byte(len(c.Domain)))
	b = append(b, c.Domain...)
	b = append(b, c.Slot)
	b = binary.BigEndian.AppendUint64(b, c.TS)
	return binary.BigEndian.AppendUint64(b, c.Exp), nil
}

// check applies the field rules shared by sign and parse.
func (c *Claim) check() error {
	if len(c.Domain) < 1 || len(c.Domain) > MaxClaimDomain {
		return Refuse(claimType, "domain is %d bytes, outside 1..%d", len(c.Domain),
			MaxClaimDomain)
	}
	for i := 0; i < len(c.Domain); i++ {
		if ch := c.Domain[i]; ch < 0x21 || ch > 0x7e {
			return Refuse(claimType, "domain has byte 0x%02x outside printable ASCII", ch)
		}
	}
	switch {
	case c.Slot > MaxSlot:
		return Refuse(claimType, "slot %d over %d", c.Slot, MaxSlot)
	case c.TS > maxInt63 || c.Exp > maxInt63:
		return Refuse(claimType, "ts or exp at or over 2^63")
	case c.Exp <= c.TS:
		return Refuse(claimType, "exp %d not after ts %d", c.Exp, c.TS)
	}
	return nil
}

// Sign signs c with the sender's Ed25519 private key, which must match
// SenderSPK, stores the signature and returns the TXT value, refusing one
// over MaxClaimWire bytes.
func (c *Claim) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := c.Body()
	if err != nil {
		return "", err
	}
	sig, err := signBody(claimType, priv, c.SenderSPK[:], body)
	if err != nil {
		return "", err
	}
	c.Signature = sig
	return c.Encode()
}

// Encode returns the TXT value of c with its stored signature.
func (c *Claim) Encode() (string, error) {
	body, err := c.Body()
	if err != nil {
		return "", err
	}
	if len(c.Signature) != SignatureSize {
		return "", Refuse(claimType, "no signature to encode")
	}
	wire := Frame(ClaimPrefix, append(body, c.Signature...))
	if len(wire) > MaxClaimWire {
		return "", Refuse(claimType, "value is %d bytes, over the %d-byte cap", len(wire),
			MaxClaimWire)
	}
	return wire, nil
}

// ParseClaim decodes and verifies a claim TXT value in the order of
// message-path.md §12.2: prefix and the 255-byte cap, strict base64, the
// body rules with no trailing bytes, the signature under the embedded
// sender key, then the clock: ts at most ClaimSkew seconds ahead of now,
// exp after now and at most MaxFuture seconds ahead. It does not see the
// owner name; use [ParseClaimAt] to bind the slot (DECISIONS W4). Errors
// are *Error values.
func ParseClaim(wire string, now time.Time) (*Claim, error) {
	blob, err := Unframe(claimType, ClaimPrefix, MaxClaimWire, wire)
	if err != nil {
		return nil, err
	}
	body, sig, err := splitSig(claimType, blob)
	if err != nil {
		return nil, err
	}
	c, err := decodeClaimBody(body)
	if err != nil {
		return nil, err
	}
	if err := verify(claimType, c.SenderSPK[:], body, sig); err != nil {
		return nil, err
	}
	if err := c.checkClock(now); err != nil {
		return nil, err
	}
	c.Signature = append([]byte(nil), sig...)
	return c, nil
}

// checkClock applies the time windows of a claim against now.
func (c *Claim) checkClock(now time.Time) error {
	switch {
	case tooFarAhead(c.TS, now, ClaimSkew):
		return Refuse(claimType, "ts %d is more than %d s ahead", c.TS, ClaimSkew)
	case c.Exp <= unixNow(now):
		return Refuse(claimType, "expired at %d", c.Exp)
	case tooFarAhead(c.Exp, now, MaxFuture):
		return Refuse(claimType, "exp %d is more than %d s ahead", c.Exp, MaxFuture)
	}
	return nil
}

// decodeClaimBody reads the body and applies check.
func decodeClaimBody(body []byte) (*Claim, error) {
	var c Claim
	var magic, domain []byte
	s := cryptobyte.String(body)
	var n uint8
	ok := s.ReadBytes(&magic, len(ClaimMagic)) && s.CopyBytes(c.MsgID[:]) &&
		s.CopyBytes(c.SenderSPK[:]) && s.ReadUint8(&n) && s.ReadBytes(&domain, int(n)) &&
		s.ReadUint8(&c.Slot) && s.ReadUint64(&c.TS) && s.ReadUint64(&c.Exp)
	if !ok {
		return nil, Refuse(claimType, "body is %d bytes, too short", len(body))
	}
	if string(magic) != ClaimMagic {
		return nil, Refuse(claimType, "magic is not %q", ClaimMagic)
	}
	if !s.Empty() {
		return nil, Refuse(claimType, "%d trailing bytes after the body", len(s))
	}
	c.Domain = string(domain)
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// ParseClaimAt parses a claim read at owner name owner and binds it to that
// name (DECISIONS W4): the first label must be "claim-N" with N the body's
// slot, one digit 0..9, and the second "mb-" and 12 hex characters. Case
// and one trailing dot of owner are ignored.
func ParseClaimAt(owner, wire string, now time.Time) (*Claim, error) {
	slot, err := claimOwnerSlot(owner)
	if err != nil {
		return nil, err
	}
	c, err := ParseClaim(wire, now)
	if err != nil {
		return nil, err
	}
	if int(c.Slot) != slot {
		return nil, Refuse(claimType, "body slot %d differs from owner label claim-%d",
			c.Slot, slot)
	}
	return c, nil
}

// claimOwnerSlot reads the slot from a claim owner name.
func claimOwnerSlot(owner string) (int, error) {
	labels := strings.SplitN(strings.ToLower(strings.TrimSuffix(owner, ".")), ".", 3)
	if len(labels) < 3 || labels[2] == "" {
		return 0, Refuse(claimType, "owner %q is not claim-N.mb-<hash12>.<zone>", owner)
	}
	slot, ok := strings.CutPrefix(labels[0], "claim-")
	if !ok || len(slot) != 1 || slot[0] < '0' || slot[0] > '0'+MaxSlot {
		return 0, Refuse(claimType, "owner label %q is not claim-0..claim-9", labels[0])
	}
	h, ok := strings.CutPrefix(labels[1], "mb-")
	if !ok || len(h) != 12 || strings.Trim(h, "0123456789abcdef") != "" {
		return 0, Refuse(claimType, "owner label %q is not mb-<12 hex>", labels[1])
	}
	return int(slot[0] - '0'), nil
}
