package discovery

import (
	"crypto/ed25519"
	"encoding/binary"
	"math"
	"time"

	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// Heartbeat record constants (records-server-cli.md §A.5).
const (
	// HeartbeatPrefix starts every heartbeat TXT value.
	HeartbeatPrefix = "v=dmp1;t=heartbeat;"
	heartbeatMagic  = "DMPHB03"
	heartbeatLegacy = "DMPHB02" // no claim provider zone; parsed, never signed
	heartbeatType   = "heartbeat"

	MaxVersionLen = 32 // bytes of ASCII
	MaxZoneLen    = 64 // bytes of the claim provider zone

	// CapClaimProvider is the capability bit of a node that hosts the claim
	// namespace under its zone. Unknown bits are kept as they are.
	CapClaimProvider uint16 = 1 << 0

	// DefaultHeartbeatSkew is the reference's allowed |ts - now|.
	DefaultHeartbeatSkew = 300 * time.Second

	// maxHeartbeatFuture is how far past now exp may lie: 30 days, in
	// seconds.
	maxHeartbeatFuture = 30 * 86400
)

// Heartbeat is a node's signed liveness statement, published at
// _dnsmesh-heartbeat.<zone>. The reference node signs it with an Ed25519
// key whose 32-byte seed is the operator key file itself (OperatorSigner),
// not the DMPCrypto derivation the other records use.
type Heartbeat struct {
	Endpoint          string            // http(s)://host[:port], see checkEndpoint
	OperatorSPK       ed25519.PublicKey // 32 bytes; the signer
	Version           string            // 0..32 bytes of ASCII
	Capabilities      uint16            // bit field, CapClaimProvider
	ClaimProviderZone string            // 0..64 printable ASCII bytes without space
	TS                uint64            // unix seconds, < 2^63, within the skew of now
	Exp               uint64            // unix seconds, TS < Exp < 2^63
	Legacy            bool              // a DMPHB02 body: no zone; parse only
}

// Body returns the signed body of h after checking every field. A Legacy
// heartbeat gets the DMPHB02 layout, which has no zone field.
func (h *Heartbeat) Body() ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	magic := heartbeatMagic
	if h.Legacy {
		magic = heartbeatLegacy
	}

	b := []byte(magic)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.Endpoint)))
	b = append(b, h.Endpoint...)
	b = append(b, h.OperatorSPK...)
	b = append(append(b, byte(len(h.Version))), h.Version...)
	b = binary.BigEndian.AppendUint16(b, h.Capabilities)
	if !h.Legacy {
		b = append(append(b, byte(len(h.ClaimProviderZone))), h.ClaimProviderZone...)
	}
	b = binary.BigEndian.AppendUint64(b, h.TS)
	b = binary.BigEndian.AppendUint64(b, h.Exp)
	return b, nil
}

// check applies the field rules on sign and parse alike. The reference
// checks the zone only on sign; it is checked on parse too (DECISIONS W8).
func (h *Heartbeat) check() error {
	if err := checkEndpoint(heartbeatType, h.Endpoint); err != nil {
		return err
	}
	if err := checkKey(heartbeatType, "operator key", h.OperatorSPK); err != nil {
		return err
	}
	if len(h.Version) > MaxVersionLen || !isASCII(h.Version) {
		return records.Refuse(heartbeatType, "version %q is not 0..%d ASCII bytes",
			h.Version, MaxVersionLen)
	}
	if err := h.checkZone(); err != nil {
		return err
	}
	if h.TS > math.MaxInt64 || h.Exp > math.MaxInt64 || h.Exp <= h.TS {
		return records.Refuse(heartbeatType, "ts %d and exp %d are not ts < exp < 2^63",
			h.TS, h.Exp)
	}
	return nil
}

// checkZone checks the claim provider zone: printable ASCII without space,
// at most MaxZoneLen bytes, and empty in a legacy heartbeat.
func (h *Heartbeat) checkZone() error {
	z := h.ClaimProviderZone
	if h.Legacy && z != "" {
		return records.Refuse(heartbeatType, "a legacy DMPHB02 heartbeat has no zone")
	}
	if len(z) > MaxZoneLen {
		return records.Refuse(heartbeatType, "zone is %d bytes, over %d", len(z), MaxZoneLen)
	}
	for i := 0; i < len(z); i++ {
		if z[i] <= 0x20 || z[i] >= 0x7f {
			return records.Refuse(heartbeatType, "zone has byte 0x%02x: space, control or "+
				"not ASCII", z[i])
		}
	}
	return nil
}

// Sign returns the TXT value of h signed by the operator key priv, whose
// public half must be h.OperatorSPK. Legacy heartbeats are never signed.
func (h *Heartbeat) Sign(priv ed25519.PrivateKey) (string, error) {
	if h.Legacy {
		return "", records.Refuse(heartbeatType, "legacy DMPHB02 heartbeats are parse-only")
	}
	body, err := h.Body()
	if err != nil {
		return "", err
	}
	if err := checkSigner(heartbeatType, "operator key", priv, h.OperatorSPK); err != nil {
		return "", err
	}
	return frameSigned(heartbeatType, HeartbeatPrefix, body, priv)
}

// ParseHeartbeat parses a DMPHB03 or legacy DMPHB02 heartbeat, verifies it
// under the embedded operator key, and requires |TS - now| <= skew and
// now < Exp <= now + 30 days. Callers normally pass DefaultHeartbeatSkew.
// Every failure is a *records.Error.
func ParseHeartbeat(wire string, now time.Time, skew time.Duration) (*Heartbeat, error) {
	body, sigs, err := unframeSigned(heartbeatType, HeartbeatPrefix, wire, 1)
	if err != nil {
		return nil, err
	}
	h, err := decodeHeartbeat(body)
	if err != nil {
		return nil, err
	}
	if err := verify(heartbeatType, h.OperatorSPK, body, sigs[0]); err != nil {
		return nil, err
	}

	if err := h.checkTime(unixSeconds(now), skew); err != nil {
		return nil, err
	}
	return h, nil
}

// checkTime applies the freshness rules of ParseHeartbeat.
func (h *Heartbeat) checkTime(now uint64, skew time.Duration) error {
	limit := uint64(max(skew, 0) / time.Second)
	if (h.TS > now && h.TS-now > limit) || (now > h.TS && now-h.TS > limit) {
		return records.Refuse(heartbeatType, "ts %d is more than %d s from now %d",
			h.TS, limit, now)
	}
	if h.Exp <= now {
		return records.Refuse(heartbeatType, "expired at %d, now is %d", h.Exp, now)
	}
	if h.Exp-now > maxHeartbeatFuture {
		return records.Refuse(heartbeatType, "exp %d is more than %d s in the future",
			h.Exp, maxHeartbeatFuture)
	}
	return nil
}

// decodeHeartbeat parses a heartbeat body without verifying it.
func decodeHeartbeat(body []byte) (*Heartbeat, error) {
	s := cryptobyte.String(body)
	h := new(Heartbeat)
	magic, err := readMagic(heartbeatType, &s, heartbeatMagic, heartbeatLegacy)
	if err != nil {
		return nil, err
	}
	h.Legacy = magic == heartbeatLegacy

	var endpoint, version, zone cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&endpoint) {
		return nil, records.Refuse(heartbeatType, "body truncated in endpoint")
	}
	if h.OperatorSPK, err = readKey(heartbeatType, "operator key", &s); err != nil {
		return nil, err
	}
	if !s.ReadUint8LengthPrefixed(&version) || !s.ReadUint16(&h.Capabilities) {
		return nil, records.Refuse(heartbeatType, "body truncated in version or capabilities")
	}
	if !h.Legacy && !s.ReadUint8LengthPrefixed(&zone) {
		return nil, records.Refuse(heartbeatType, "body truncated in zone")
	}
	if !s.ReadUint64(&h.TS) || !s.ReadUint64(&h.Exp) {
		return nil, records.Refuse(heartbeatType, "body truncated in ts or exp")
	}
	if !s.Empty() {
		return nil, records.Refuse(heartbeatType, "%d trailing bytes after exp", len(s))
	}

	h.Endpoint, h.Version, h.ClaimProviderZone = string(endpoint), string(version), string(zone)
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// isASCII reports whether s holds only bytes below 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
