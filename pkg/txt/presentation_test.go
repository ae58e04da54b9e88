package txt

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestPresentationEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{`q"uote`, `q\"uote`},
		{`back\slash`, `back\\slash`},
		{"nul\x00", `nul\000`},
		{"del\x7f", `del\127`},
		{"\xff", `\255`},
	}
	for _, tt := range tests {
		got := Presentation(tt.in)
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("Presentation(%q) = %q, want [%q]", tt.in, got, tt.want)
		}
	}
}

// TestPresentationWire checks the packed form of values with every byte,
// escapes and several strings (checkWire).
func TestPresentationWire(t *testing.T) {
	for _, v := range wireValues() {
		checkWire(t, v)
	}
}

func FuzzPresentation(f *testing.F) {
	for _, v := range wireValues() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > 8*MaxString {
			return // a TXT RR holds at most 65535 bytes; DMP values are far smaller
		}
		checkWire(t, v)
	})
}

// checkWire packs Presentation(v) with miekg/dns and checks that the
// RDATA carries v's bytes in strings of 255 bytes but the last, and that
// unpacking and FromPresentation give v back.
func checkWire(t *testing.T, v string) {
	t.Helper()
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "a.example.", Rrtype: dns.TypeTXT,
		Class: dns.ClassINET}, Txt: Presentation(v)}
	buf := make([]byte, dns.Len(rr)+64)
	off, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		t.Fatalf("pack %q: %v", v, err)
	}
	strs := rdataStrings(t, buf[:off])
	if got := strings.Join(strs, ""); got != v {
		t.Errorf("wire bytes of %q are %q", v, got)
	}
	for i, s := range strs[:len(strs)-1] {
		if len(s) != 255 { // RFC 1035 §3.3, not MaxString: the test pins the figure
			t.Errorf("string %d of %d is %d bytes, want 255", i, len(strs), len(s))
		}
	}

	back, _, err := dns.UnpackRR(buf[:off], 0)
	if err != nil {
		t.Fatalf("unpack %q: %v", v, err)
	}
	if got := FromPresentation(back.(*dns.TXT).Txt); got != v {
		t.Errorf("round trip of %q gave %q", v, got)
	}
}

func wireValues() []string {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	return []string{"", "plain", `q"uote\back`, `\123`, `trailing\`, "ctl\x00\x1f\x7f",
		"utf8 é ✓", string(all), strings.Repeat(`\`, 300), strings.Repeat("x", 600)}
}

// rdataStrings returns the character-strings of a packed TXT RR's RDATA,
// read by hand from the wire so the check does not rely on the library.
func rdataStrings(t *testing.T, msg []byte) []string {
	t.Helper()
	_, off, err := dns.UnpackDomainName(msg, 0)
	if err != nil {
		t.Fatal(err)
	}
	rdlen := int(msg[off+8])<<8 | int(msg[off+9])
	rdata := msg[off+10:]
	if len(rdata) != rdlen {
		t.Fatalf("RDATA is %d bytes, RDLENGTH says %d", len(rdata), rdlen)
	}
	var out []string
	for len(rdata) > 0 {
		n := int(rdata[0])
		out = append(out, string(rdata[1:1+n]))
		rdata = rdata[1+n:]
	}
	return out
}
