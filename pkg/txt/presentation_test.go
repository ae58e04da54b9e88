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

// TestPresentationWire packs what Presentation returns with miekg/dns and
// checks that the RDATA carries the raw value's bytes, split at 255, and
// that unpacking and FromPresentation give the value back.
func TestPresentationWire(t *testing.T) {
	for _, v := range wireValues() {
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: "a.example.", Rrtype: dns.TypeTXT,
			Class: dns.ClassINET}, Txt: Presentation(v)}
		buf := make([]byte, dns.Len(rr)+64)
		off, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			t.Fatalf("pack %q: %v", v, err)
		}
		if got := rdataStrings(t, buf[:off]); got != v {
			t.Errorf("wire bytes of %q are %q", v, got)
		}

		back, _, err := dns.UnpackRR(buf[:off], 0)
		if err != nil {
			t.Fatalf("unpack %q: %v", v, err)
		}
		if got := FromPresentation(back.(*dns.TXT).Txt); got != v {
			t.Errorf("round trip of %q gave %q", v, got)
		}
	}
}

func FuzzPresentation(f *testing.F) {
	for _, v := range wireValues() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got := FromPresentation(Presentation(v)); got != v {
			t.Fatalf("round trip of %q gave %q", v, got)
		}
	})
}

func wireValues() []string {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	return []string{"", "plain", `q"uote\back`, `\123`, `trailing\`, "ctl\x00\x1f\x7f",
		"utf8 é ✓", string(all), strings.Repeat(`\`, 300), strings.Repeat("x", 600)}
}

// rdataStrings joins the character-strings of a packed TXT RR's RDATA,
// read by hand from the wire so the check does not rely on the library.
func rdataStrings(t *testing.T, msg []byte) string {
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
	var b strings.Builder
	for len(rdata) > 0 {
		n := int(rdata[0])
		b.Write(rdata[1 : 1+n])
		rdata = rdata[1+n:]
	}
	return b.String()
}
