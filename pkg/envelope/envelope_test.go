package envelope

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// envelopeCase is one case of the reference's published
// docs/protocol/vectors/dmpv2_envelope.json.
type envelopeCase struct {
	Description   string  `json:"description"`
	WantBody      string  `json:"expected_decode_body_hex"`
	WantFrom      *string `json:"expected_decode_from"`
	WantPlaintext *string `json:"expected_plaintext_hex"`
	Inputs        struct {
		Body       *string `json:"body_hex"`
		SenderAddr *string `json:"sender_addr"`
		Plaintext  *string `json:"plaintext_hex"`
	} `json:"inputs"`
}

func loadCases(t testing.TB) []envelopeCase {
	t.Helper()
	var cases []envelopeCase
	vectors.Load(t, "reference/dmpv2_envelope.json", &cases)
	return cases
}

// plaintextOf returns the case's plaintext: encoded from its inputs, or
// given directly.
func plaintextOf(t *testing.T, c envelopeCase) []byte {
	t.Helper()
	if c.Inputs.Plaintext != nil {
		return vectors.Unhex(t, *c.Inputs.Plaintext)
	}
	addr := ""
	if c.Inputs.SenderAddr != nil {
		addr = *c.Inputs.SenderAddr
	}
	got := Encode(vectors.Unhex(t, *c.Inputs.Body), addr)
	if want := vectors.Unhex(t, *c.WantPlaintext); !bytes.Equal(got, want) {
		t.Fatalf("Encode: got %q, want %q", got, want)
	}
	return got
}

func TestVectors(t *testing.T) {
	cases := loadCases(t)
	if len(cases) != 8 {
		t.Fatalf("got %d cases, want 8", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Description, func(t *testing.T) {
			pt := plaintextOf(t, c)
			body, from := Decode(pt)
			if want := vectors.Unhex(t, c.WantBody); !bytes.Equal(body, want) {
				t.Fatalf("Decode body: got %q, want %q", body, want)
			}
			wantFrom := ""
			if c.WantFrom != nil {
				wantFrom = *c.WantFrom
			}
			if from != wantFrom {
				t.Fatalf("Decode from: got %q, want %q", from, wantFrom)
			}
		})
	}
}

func TestCanonicalize(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	host253 := long63 + "." + long63 + "." + long63 + "." + strings.Repeat("b", 61)
	cases := []struct {
		in, want string
	}{
		{"alice@example.com", "alice@example.com"},
		{"ALICE@Example.COM.", "alice@example.com"},
		{"  bob@host..  ", "bob@host"},
		{"\x1calice@example.com", "alice@example.com"}, // Python strip() removes 0x1c
		{"a@b", "a@b"},
		{"a_b-c.d@x-y.z", "a_b-c.d@x-y.z"},
		{strings.Repeat("l", 64) + "@h", strings.Repeat("l", 64) + "@h"},
		{"u@" + host253, "u@" + host253},
		{"not-an-address", ""},
		{"a@b@c", ""},
		{"@host", ""},
		{"user@", ""},
		{"user@.", ""},
		{strings.Repeat("l", 65) + "@h", ""},
		{"u@" + host253 + "b", ""},
		{"u@" + strings.Repeat("a", 64), ""},
		{"_user@host", ""},
		{".user@host", ""},
		{"user.@host", ""},
		{"us..er@host", ""},
		{"user@ho_st", ""},
		{"user@-host", ""},
		{"user@host-", ""},
		{"user@a..b", ""},
		{"abc\n@example.com", ""}, // the reference accepts this (O-8); we do not
		{"user@exa\nmple.com", ""},
		{"usér@host", ""},
		{"us er@host", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := Canonicalize(c.in)
			if ok != (c.want != "") || got != c.want {
				t.Fatalf("Canonicalize(%q): got %q, %v; want %q", c.in, got, ok, c.want)
			}
		})
	}
}

func TestDecodeEdges(t *testing.T) {
	hdr256 := `{"from":"a@b","x":"` + strings.Repeat("y", 256-len(`{"from":"a@b","x":""}`)) + `"}`
	cases := []struct {
		name, in, body, from string
	}{
		{"no prefix", "hello", "hello", ""},
		{"no newline", `DMPV2:{"from":"a@b"}`, `DMPV2:{"from":"a@b"}`, ""},
		{"whitespace and case", "DMPV2: {\"from\":\"A@B.C\"} \nbody", "body", "a@b.c"},
		{"duplicate key, last wins", `DMPV2:{"from":"x@y","from":"a@b"}` + "\nz", "z", "a@b"},
		{"from not a string", "DMPV2:{\"from\":5}\nz", "z", ""},
		{"from missing", "DMPV2:{}\nz", "z", ""},
		{"from invalid", "DMPV2:{\"from\":\"nope\"}\nz", "z", ""},
		{"array header", "DMPV2:[1]\nz", "DMPV2:[1]\nz", ""},
		{"trailing data", "DMPV2:{}}\nz", "DMPV2:{}}\nz", ""},
		{"non-ascii header", "DMPV2:{\"from\":\"é\"}\nz", "DMPV2:{\"from\":\"é\"}\nz", ""},
		{"huge number", "DMPV2:{\"n\":1e400,\"from\":\"a@b\"}\nz", "z", "a@b"},
		{"header of 256 bytes", "DMPV2:" + hdr256 + "\nz", "z", "a@b"},
		{"header of 257 bytes", "DMPV2:" + hdr256 + " \nz", "DMPV2:" + hdr256 + " \nz", ""},
		{"body keeps newlines", "DMPV2:{\"from\":\"a@b\"}\n\nx\n", "\nx\n", "a@b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, from := Decode([]byte(c.in))
			if string(body) != c.body || from != c.from {
				t.Fatalf("Decode(%q): got %q, %q; want %q, %q", c.in, body, from, c.body, c.from)
			}
		})
	}
}

func TestEncodeHeaderCap(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	addr := strings.Repeat("l", 64) + "@" + long63 + "." + long63 + "." + long63
	if got := Encode([]byte("x"), addr); string(got) != "x" {
		t.Fatalf("got %q, want the v1 body: the header is over %d bytes", got, MaxHeader)
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range loadCases(f) {
		if c.Inputs.Plaintext != nil {
			f.Add(vectors.Unhex(f, *c.Inputs.Plaintext))
		}
		if c.WantPlaintext != nil {
			f.Add(vectors.Unhex(f, *c.WantPlaintext))
		}
	}
	f.Fuzz(func(t *testing.T, pt []byte) {
		body, from := Decode(pt)
		if !bytes.HasSuffix(pt, body) {
			t.Fatalf("body %q is not a suffix of the plaintext %q", body, pt)
		}
		if from == "" {
			return
		}
		if c, ok := Canonicalize(from); !ok || c != from {
			t.Fatalf("from %q is not canonical", from)
		}
		// Re-encoding the decoded parts decodes to the same parts.
		body2, from2 := Decode(Encode(body, from))
		if !bytes.Equal(body2, body) || from2 != from {
			t.Fatalf("round trip: got %q, %q; want %q, %q", body2, from2, body, from)
		}
	})
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{"alice@example.com", "ALICE@Example.COM.", "\x1ca@b", "a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		c, ok := Canonicalize(addr)
		if !ok {
			return
		}
		if again, ok := Canonicalize(c); !ok || again != c {
			t.Fatalf("Canonicalize(%q) = %q is not a fixed point: got %q, %v", addr, c, again, ok)
		}
	})
}
