package envelope

import "strings"

const (
	// maxLocal is the longest local part of an address, in bytes.
	maxLocal = 64

	// maxHost is the longest host part of an address, in bytes.
	maxHost = 253

	// maxLabel is the longest host label, in bytes.
	maxLabel = 63
)

// pythonSpace holds the ASCII characters Python's str.strip() removes; it
// counts the separators 0x1c–0x1f as whitespace, unlike strings.TrimSpace.
const pythonSpace = " \t\n\v\f\r\x1c\x1d\x1e\x1f"

// Canonicalize returns the canonical form of a user@host address and
// reports whether addr is one (message-path.md §4.2). It trims ASCII
// whitespace, lower-cases, strips trailing dots from the host, and checks
// the local part (1–64 of a-z 0-9 _ - ., starting with a letter or digit,
// no leading, trailing or doubled dot) and every host label (1–63 of
// a-z 0-9 -, no leading or trailing hyphen; host at most 253 bytes).
// Non-ASCII input is refused. Unlike the reference, a local part or label
// ending in a newline is refused too (DECISIONS, O-8).
func Canonicalize(addr string) (string, bool) {
	for i := 0; i < len(addr); i++ {
		if addr[i] >= 0x80 {
			return "", false
		}
	}
	addr = strings.ToLower(strings.Trim(addr, pythonSpace))

	local, host, ok := strings.Cut(addr, "@")
	if !ok || strings.Contains(host, "@") {
		return "", false
	}
	host = strings.TrimRight(host, ".")
	if !validLocal(local) || !validHost(host) {
		return "", false
	}
	return local + "@" + host, true
}

func validLocal(s string) bool {
	if len(s) == 0 || len(s) > maxLocal || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return !strings.HasSuffix(s, ".") && !strings.Contains(s, "..")
}

func validHost(s string) bool {
	if len(s) == 0 || len(s) > maxHost {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

func validLabel(s string) bool {
	if len(s) == 0 || len(s) > maxLabel {
		return false
	}
	if !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// isAlnum reports whether c is a lower-case ASCII letter or a digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
