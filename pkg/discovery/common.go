package discovery

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// Limits shared by the five record types (records-server-cli.md §0.1, §A).
const (
	// MaxWireLen caps the whole TXT value (prefix plus base64), in bytes.
	// Sign refuses to produce a longer value and Parse refuses to read one.
	MaxWireLen = 1200

	// MaxNameLen caps every DNS name carried in a body (cluster name, user
	// domain, cluster base domain, cluster/bootstrap rotation subjects), in
	// bytes, without the optional trailing dot.
	MaxNameLen = names.MaxFieldName

	// maxAnchorFuture is how far past now a cluster, bootstrap or rotation
	// record's exp may lie: five 365-day years, in seconds.
	maxAnchorFuture = 5 * 365 * 86400

	magicLen = 7 // every body starts with a 7-byte ASCII magic
	keyLen   = ed25519.PublicKeySize
	sigLen   = ed25519.SignatureSize
)

// unixSeconds returns now as unsigned unix seconds. Instants before 1970
// count as 0: every DMP timestamp is unsigned.
func unixSeconds(now time.Time) uint64 {
	s := now.Unix()
	if s < 0 {
		return 0
	}
	return uint64(s)
}

// checkExpiry refuses a record whose exp is before now or more than
// ceiling seconds after it. A record is still valid at exp == now.
func checkExpiry(typ string, exp, now, ceiling uint64) error {
	if exp < now {
		return records.Refuse(typ, "expired at %d, now is %d", exp, now)
	}
	if exp-now > ceiling {
		return records.Refuse(typ, "exp %d is more than %d s in the future", exp, ceiling)
	}
	return nil
}

// checkSigner refuses a private key that is malformed or does not belong
// to the public key the body declares (role names that field).
func checkSigner(typ, role string, priv ed25519.PrivateKey, declared []byte) error {
	if len(priv) != ed25519.PrivateKeySize {
		return records.Refuse(typ, "%s private key is %d bytes, want %d",
			role, len(priv), ed25519.PrivateKeySize)
	}
	pub := priv.Public().(ed25519.PublicKey)
	if !bytes.Equal(pub, declared) {
		return records.Refuse(typ, "signing key does not match the declared %s", role)
	}
	return nil
}

// frameSigned signs body with every key in turn, appends the signatures
// and returns the TXT value, refusing values over MaxWireLen. The keys
// must have passed checkSigner.
func frameSigned(typ, prefix string, body []byte, privs ...ed25519.PrivateKey) (string, error) {
	blob := append([]byte(nil), body...)
	for _, priv := range privs {
		blob = append(blob, ed25519.Sign(priv, body)...)
	}

	wire := records.Frame(prefix, blob)
	if len(wire) > MaxWireLen {
		return "", records.Refuse(typ, "value would be %d bytes, over the %d-byte cap",
			len(wire), MaxWireLen)
	}
	return wire, nil
}

// unframeSigned checks the prefix and wire cap, decodes the payload and
// splits it into the body and nsig trailing signatures. The body must be
// at least as long as the 7-byte magic.
func unframeSigned(typ, prefix, wire string, nsig int) ([]byte, [][]byte, error) {
	blob, err := records.Unframe(typ, prefix, MaxWireLen, wire)
	if err != nil {
		return nil, nil, err
	}
	if len(blob) < magicLen+nsig*sigLen {
		return nil, nil, records.Refuse(typ, "payload is %d bytes, too short", len(blob))
	}

	n := len(blob) - nsig*sigLen
	body, tail := blob[:n], blob[n:]
	sigs := make([][]byte, nsig)
	for i := range sigs {
		sigs[i] = tail[i*sigLen : (i+1)*sigLen]
	}
	return body, sigs, nil
}

// verify applies the DMP signature rule (records-server-cli.md §0.3,
// keys.Verify) and reports any failure with one reason.
func verify(typ string, pub, body, sig []byte) error {
	if !keys.Verify(pub, body, sig) {
		return records.Refuse(typ, "signature does not verify")
	}
	return nil
}

// checkKey refuses a declared public key that is not 32 bytes.
func checkKey(typ, role string, pub []byte) error {
	if len(pub) != keyLen {
		return records.Refuse(typ, "%s is %d bytes, want %d", role, len(pub), keyLen)
	}
	return nil
}

// signName checks a DNS-name field before signing and returns it with one
// trailing dot stripped, the form the body carries (§0.6 item 1).
func signName(typ, field, s string) (string, error) {
	name, err := names.CheckDNSName(s, MaxNameLen)
	if err != nil {
		return "", records.Refuse(typ, "%s: %v", field, err)
	}
	return name, nil
}

// readName reads a uint8-length-prefixed DNS-name field. Signers strip the
// trailing dot, so a name that still carries one is a second encoding of
// the same value and is refused.
func readName(typ, field string, s *cryptobyte.String) (string, error) {
	var raw cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&raw) {
		return "", records.Refuse(typ, "body truncated in %s", field)
	}
	name := string(raw)
	if strings.HasSuffix(name, ".") {
		return "", records.Refuse(typ, "%s %q keeps a trailing dot", field, name)
	}
	if _, err := names.CheckDNSName(name, MaxNameLen); err != nil {
		return "", records.Refuse(typ, "%s: %v", field, err)
	}
	return name, nil
}

// readKey reads a 32-byte public key field.
func readKey(typ, field string, s *cryptobyte.String) (ed25519.PublicKey, error) {
	k := make([]byte, keyLen)
	if !s.CopyBytes(k) {
		return nil, records.Refuse(typ, "body truncated in %s", field)
	}
	return k, nil
}

// readMagic consumes the 7-byte magic and reports which of want it is.
func readMagic(typ string, s *cryptobyte.String, want ...string) (string, error) {
	var m []byte
	if !s.ReadBytes(&m, magicLen) {
		return "", records.Refuse(typ, "body truncated in magic")
	}
	for _, w := range want {
		if string(m) == w {
			return w, nil
		}
	}
	return "", records.Refuse(typ, "magic %q is not %q", m, want[0])
}
