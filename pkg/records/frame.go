package records

import (
	"fmt"
	"strings"

	"github.com/dnsmesh/dmp/internal/b64"
)

// Error says why a record was refused by a sign or parse function. Type is
// the record type ("manifest", "cluster", ...) and Reason a short phrase
// ("signature does not verify", "expired", ...).
type Error struct {
	Type   string
	Reason string
}

// Error implements the error interface.
func (e *Error) Error() string { return "dmp " + e.Type + " record: " + e.Reason }

// Refuse returns an *Error for record type typ with a formatted reason.
func Refuse(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Reason: fmt.Sprintf(format, args...)}
}

// Frame returns prefix followed by the standard padded base64 of blob, the
// TXT value layout every DMP record shares: prefix || b64(body || sig...).
func Frame(prefix string, blob []byte) string {
	return prefix + b64.Encode(blob)
}

// Unframe checks that wire starts with prefix and is at most maxWire bytes
// long as a whole (0 means no cap), and returns the decoded blob. Decoding is
// strict (DECISIONS W1). Errors are *Error values for record type typ.
func Unframe(typ, prefix string, maxWire int, wire string) ([]byte, error) {
	if maxWire > 0 && len(wire) > maxWire {
		return nil, Refuse(typ, "value is %d bytes, over the %d-byte cap", len(wire), maxWire)
	}
	rest, ok := strings.CutPrefix(wire, prefix)
	if !ok {
		return nil, Refuse(typ, "value does not start with %q", prefix)
	}
	blob, err := b64.Decode(rest)
	if err != nil {
		return nil, Refuse(typ, "payload is not strict standard base64")
	}
	return blob, nil
}
