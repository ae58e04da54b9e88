package register

import "testing"

// TestCanonicalSubject checks subjects against the reference's
// canonicalize_subject; the wanted values were produced by Python's
// unicodedata.normalize("NFKC", s).strip().lower() and its ASCII and
// shape checks.
func TestCanonicalSubject(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // "" means refused
	}{
		{"upper case", "Alice@Example.ORG", "alice@example.org"},
		{"ascii space", "  alice@example.org\t", "alice@example.org"},
		{"one fullwidth letter", "\uff41lice@example.org", "alice@example.org"},
		{"all fullwidth", "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｏｒｇ", "alice@example.org"},
		{"dotted capital I", "\u0130lice@example.org", ""},
		{"accented", "al\u00e9@example.org", ""},
		{"unicode spaces", "\u00a0bob@example.org\u3000", "bob@example.org"},
		{"separators", "\x1cbob@example.org\x1f", "bob@example.org"},
		{"kelvin sign", "\u212aate@example.org", "kate@example.org"},
		{"soft hyphen", "alice@ex\u00adample.org", ""},
		{"circled digit", "\u2460@example.org", "1@example.org"},
		{"ligature", "\ufb01@example.org", "fi@example.org"},
		{"zero width space", "bob\u200b@example.org", ""},
		{"single label host", "alice@example", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CanonicalSubject(c.in)
			if c.want == "" {
				if err == nil {
					t.Fatalf("got %q, want refusal", got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q (%v), want %q", got, err, c.want)
			}
		})
	}
}
