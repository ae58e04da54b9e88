// Package scope decides which owner names a TSIG key may write, with the
// owner-name patterns of the reference keystore (records-server-cli.md
// §B.5).
//
// A pattern is a domain name without trailing dot, compared
// case-insensitively. A literal pattern covers the name itself and every
// name below it. A pattern with '*' is matched label by label against the
// owner's rightmost labels (the owner may have more labels on the left);
// inside a label '*' matches any run of characters, possibly empty, but
// never a dot, and a label may hold several '*'.
//
// Adding needs any covering pattern; deleting needs a covering pattern
// without '*', so wildcard scopes can add to shared mailboxes and chunks
// but never delete from them.
package scope

import (
	"fmt"
	"strings"
)

// Op is the kind of write being authorised.
type Op int

const (
	// Add adds a value.
	Add Op = iota
	// Delete removes a value or a whole RRset.
	Delete
)

// Covers reports whether one of patterns allows op at owner.
func Covers(patterns []string, owner string, op Op) bool {
	for _, p := range patterns {
		if op == Delete && strings.Contains(p, "*") {
			continue
		}
		if Match(p, owner) {
			return true
		}
	}
	return false
}

// Match reports whether pattern covers owner.
func Match(pattern, owner string) bool {
	p := normalize(pattern)
	o := normalize(owner)
	if p == "" || o == "" {
		return false
	}
	if !strings.Contains(p, "*") {
		return o == p || strings.HasSuffix(o, "."+p)
	}

	pl := strings.Split(p, ".")
	ol := strings.Split(o, ".")
	if len(ol) < len(pl) {
		return false
	}
	ol = ol[len(ol)-len(pl):]
	for i := range pl {
		if !globLabel(pl[i], ol[i]) {
			return false
		}
	}
	return true
}

// globLabel matches one label against a pattern label in which '*'
// matches any run of characters.
func globLabel(pat, s string) bool {
	star, mark := -1, 0
	pi, si := 0, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pat) && pat[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

func normalize(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// Check validates a pattern an operator adds: labels of letters, digits,
// '-', '_' and '*', each 1..63 bytes, at most 253 bytes in all. It
// returns the pattern lower-cased without trailing dot.
func Check(pattern string) (string, error) {
	p := normalize(pattern)
	if p == "" || len(p) > 253 {
		return "", fmt.Errorf("scope pattern %q: length must be 1..253", pattern)
	}
	for _, label := range strings.Split(p, ".") {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("scope pattern %q: empty or long label", pattern)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*'
			if !ok {
				return "", fmt.Errorf("scope pattern %q: bad character %q", pattern, c)
			}
		}
	}
	return p, nil
}
