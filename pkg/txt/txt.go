// Package txt splits DMP record values into TXT character-strings and joins
// them back, and converts them to and from the escaped form miekg/dns
// holds in dns.TXT.
//
// A TXT character-string holds at most 255 bytes (RFC 1035 §3.3). DMP
// values such as large manifests exceed that, so every writer splits a
// value into consecutive 255-byte strings and every reader joins the
// strings of one RR with no separator (DECISIONS W7).
package txt

// MaxString is the largest character-string in a TXT RR, in bytes.
const MaxString = 255

// Split cuts v into consecutive strings of at most MaxString bytes. The
// empty value becomes one empty string, since a TXT RR needs at least one.
func Split(v string) []string {
	if len(v) <= MaxString {
		return []string{v}
	}
	out := make([]string, 0, (len(v)+MaxString-1)/MaxString)
	for len(v) > MaxString {
		out = append(out, v[:MaxString])
		v = v[MaxString:]
	}
	return append(out, v)
}

// Join concatenates the character-strings of one TXT RR.
func Join(ss []string) string {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	b := make([]byte, 0, n)
	for _, s := range ss {
		b = append(b, s...)
	}
	return string(b)
}
