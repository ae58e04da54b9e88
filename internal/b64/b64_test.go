package b64

import (
	"bytes"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []byte // nil means refused
	}{
		{"empty", "", []byte{}},
		{"padded", "YQ==", []byte("a")},
		{"no padding needed", "YWJj", []byte("abc")},
		{"plus and slash", "+/8=", []byte{0xfb, 0xff}},
		{"missing padding", "YQ", nil},
		{"url alphabet", "-_8=", nil},
		{"newline inside", "YW\nJj", nil},
		{"carriage return", "YWJj\r", nil},
		{"space", "YW Jj", nil},
		{"padding in the middle", "YQ==YWJj", nil},
		{"non-zero trailing bits", "YR==", nil},
		{"non-ascii", "YWJj\xc3\xa9", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Decode(%q) = %x, want an error", tt.in, got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("Decode(%q) = %x, %v; want %x", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "YQ==", "YWJj", "+/8=", "YW\nJj", "YR=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			return
		}
		if Encode(b) != s {
			t.Fatalf("Decode(%q) accepted a non-canonical encoding", s)
		}
	})
}
