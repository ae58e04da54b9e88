package names

import (
	"errors"
	"fmt"
	"strings"
)

// MaxFieldName is the cap, in bytes after one trailing dot is stripped, that
// record fields holding a DNS name apply on top of [CheckDNSName]:
// cluster_name, user_domain, base_domain and the cluster and bootstrap
// rotation subjects (records-server-cli.md §0.6 item 1).
const MaxFieldName = 64

// MaxLabel is the longest DNS label in bytes (RFC 1035 §2.3.4).
const MaxLabel = 63

// ErrName is wrapped by every error that [CheckDNSName] returns.
var ErrName = errors.New("names: invalid dns name")

// CheckDNSName applies the record-field DNS name rule of
// records-server-cli.md §0.6 item 1 and returns s with one trailing dot
// stripped. The rule: s is not empty and does not end in "..", the name left
// after stripping one trailing dot is not empty, is ASCII, and every label is
// 1..63 bytes of [A-Za-z0-9-] that neither starts nor ends with '-'.
// Underscores are refused. Case is kept. When maxBytes > 0 the stripped name
// must also be at most maxBytes long (callers pass [MaxFieldName]).
func CheckDNSName(s string, maxBytes int) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrName)
	}
	if strings.HasSuffix(s, "..") {
		return "", fmt.Errorf("%w: %q ends in \"..\"", ErrName, s)
	}
	name := strings.TrimSuffix(s, ".")
	if name == "" {
		return "", fmt.Errorf("%w: %q has no labels", ErrName, s)
	}
	if maxBytes > 0 && len(name) > maxBytes {
		return "", fmt.Errorf("%w: %q is %d bytes, over the %d-byte cap",
			ErrName, s, len(name), maxBytes)
	}
	for label := range strings.SplitSeq(name, ".") {
		if err := checkLabel(label); err != nil {
			return "", fmt.Errorf("%w: %q: %s", ErrName, s, err)
		}
	}
	return name, nil
}

// checkLabel applies the per-label part of [CheckDNSName].
func checkLabel(label string) error {
	if label == "" {
		return errors.New("empty label")
	}
	if len(label) > MaxLabel {
		return fmt.Errorf("label of %d bytes, over %d", len(label), MaxLabel)
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with '-'", label)
	}
	for i := 0; i < len(label); i++ {
		if !isLDH(label[i]) {
			return fmt.Errorf("label %q has byte 0x%02x outside [A-Za-z0-9-]", label, label[i])
		}
	}
	return nil
}

// isLDH reports whether c is an ASCII letter, digit or hyphen.
func isLDH(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// SameDNSName reports whether a and b name the same DNS name under the
// comparison the reference uses for record fields: one trailing dot stripped
// from each, then compared case-insensitively. Record-field names are ASCII
// (see [CheckDNSName]), so ASCII case folding is the whole of casefold.
func SameDNSName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}
