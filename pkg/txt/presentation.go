package txt

import (
	"strconv"
	"strings"
)

// Presentation splits v like Split and escapes each string the way
// miekg/dns holds TXT data in dns.TXT.Txt: '"' and '\' get a backslash,
// bytes outside printable ASCII become \DDD. The library unescapes these
// when it packs, so the wire carries v's bytes unchanged; without the
// escaping a backslash in v would be read as the start of an escape.
func Presentation(v string) []string {
	parts := Split(v)
	for i, p := range parts {
		parts[i] = escape(p)
	}
	return parts
}

// FromPresentation joins the strings of one dns.TXT into the raw value,
// undoing miekg/dns's escapes ("\X" and "\DDD").
func FromPresentation(ss []string) string {
	raw := make([]string, len(ss))
	for i, s := range ss {
		raw[i] = unescape(s)
	}
	return Join(raw)
}

// escape returns s unchanged when no byte needs escaping, the common case
// for DMP's base64 and ASCII values, so answers allocate nothing extra.
func escape(s string) string {
	i := 0
	for i < len(s) && !needsEscape(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}

	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			b.WriteByte('0' + c/100)
			b.WriteByte('0' + c/10%10)
			b.WriteByte('0' + c%10)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEscape(c byte) bool {
	return c == '"' || c == '\\' || c < ' ' || c > '~'
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
