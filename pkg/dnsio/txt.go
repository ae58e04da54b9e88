// Package dnsio carries DMP records over DNS: TXT reads through configured
// resolvers or straight to a node (TCP when an answer is truncated), a
// writer that sends TSIG-signed RFC 2136 UPDATEs and checks the signed
// replies, and the HTTP client of the node's key registration
// (records-server-cli.md §B.4, §B.8; DECISIONS C12, W7).
//
// Values are raw byte strings at this package's edges. A value longer than
// 255 bytes travels as several character-strings of one TXT RR, split and
// joined by package txt.
package dnsio

import (
	"strconv"
	"strings"

	"github.com/dnsmesh/dmp/pkg/txt"
)

// toPresentation turns a raw value into the character-strings miekg/dns
// expects in dns.TXT.Txt: split at 255 bytes, then with '"', '\' and
// bytes outside printable ASCII escaped, since the library unescapes
// these when it packs.
func toPresentation(v string) []string {
	parts := txt.Split(v)
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = escape(p)
	}
	return out
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			b.WriteString(pad3(int(c)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 3-len(s)) + s
}

// fromPresentation joins the character-strings of one dns.TXT into the
// raw value, undoing miekg/dns's escaping ("\\X" and "\\DDD").
func fromPresentation(ss []string) string {
	raw := make([]string, len(ss))
	for i, s := range ss {
		raw[i] = unescape(s)
	}
	return txt.Join(raw)
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n, _ := strconv.Atoi(s[i+1 : i+4])
			b = append(b, byte(n))
			i += 3
			continue
		}
		b = append(b, s[i+1])
		i++
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
