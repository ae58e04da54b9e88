package message

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseHeader(t *testing.T) {
	f := loadFixture(t)
	canonical := f.vec.Messages[0].OuterHeader
	h, err := ParseHeader([]byte(canonical))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(h.Marshal()); got != canonical {
		t.Fatalf("Marshal(Parse(x)):\n got %s\nwant %s", got, canonical)
	}
	if h.Total != 1 || h.TTL != 300 || h.Type != TypeData {
		t.Fatalf("got total %d ttl %d type %q, want 1, 300, DATA", h.Total, h.TTL, h.Type)
	}

	bad := []struct {
		name, in string
	}{
		{"empty", ""},
		{"not an object", "[]"},
		{"missing key", strings.Replace(canonical, `"chunk":0,`, "", 1)},
		{"extra key", strings.Replace(canonical, `{"v":1,`, `{"v":1,"x":2,`, 1)},
		{"upper-case key", strings.Replace(canonical, `"v":1`, `"V":1`, 1)},
		{"wrong type of value", strings.Replace(canonical, `"ts":1893456000`, `"ts":"1"`, 1)},
		{"float", strings.Replace(canonical, `"v":1`, `"v":1.0`, 1)},
		{"unknown type", strings.Replace(canonical, `"DATA"`, `"SPAM"`, 1)},
		{"upper-case hex", strings.Replace(canonical, "588a29c4", "588A29C4", 1)},
		{"short msg_id", strings.Replace(canonical, "588a29c4", "588a29", 1)},
		{"spaces", strings.Replace(canonical, `"v":1`, `"v": 1`, 1)},
		{"key order", strings.Replace(canonical, `"total":1,"chunk":0`, `"chunk":0,"total":1`, 1)},
		{"trailing data", canonical + "x"},
		{"trailing object", canonical + "{}"},
		{"huge integer", strings.Replace(canonical, `"ttl":300`, `"ttl":99999999999999999999`, 1)},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if h, err := ParseHeader([]byte(c.in)); err == nil {
				t.Fatalf("ParseHeader(%q): got %+v, want an error", c.in, h)
			}
		})
	}
}

func TestHeaderExpired(t *testing.T) {
	const maxI = 1<<63 - 1
	cases := []struct {
		name         string
		ts, ttl, now int64
		want         bool
	}{
		{"inside", 100, 300, 400, false},
		{"one past", 100, 300, 401, true},
		{"overflowing lifetime", maxI - 5, 300, maxI, false},
		{"negative ttl", 100, -1, 100, true},
		{"underflowing lifetime", -maxI, -300, -maxI + 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &Header{TS: c.ts, TTL: c.ttl}
			if got := h.Expired(c.now); got != c.want {
				t.Fatalf("ts %d ttl %d now %d: got %v, want %v", c.ts, c.ttl, c.now, got, c.want)
			}
		})
	}
}

func TestAADSentinels(t *testing.T) {
	h := &Header{V: 1, Type: TypeData, Total: 7, Chunk: 3, TS: 1, TTL: 2}
	aad := h.AAD(0x01020304)
	if !bytes.HasSuffix(aad, []byte{1, 2, 3, 4}) {
		t.Fatalf("AAD does not end in u32(prekey id): %x", aad[len(aad)-4:])
	}
	if !bytes.Contains(aad, []byte(`"total":0,"chunk":0`)) {
		t.Fatalf("AAD does not zero total and chunk: %s", aad)
	}
	if h.Total != 7 || h.Chunk != 3 {
		t.Fatal("AAD changed the header")
	}
}

// FuzzHeader checks that ParseHeader never panics and accepts only the
// one canonical encoding of each header.
func FuzzHeader(f *testing.F) {
	for _, m := range loadFixture(f).vec.Messages {
		f.Add([]byte(m.OuterHeader))
	}
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, err := ParseHeader(raw)
		if err != nil {
			return
		}
		if got := h.Marshal(); !bytes.Equal(got, raw) {
			t.Fatalf("accepted %q, which re-encodes as %q", raw, got)
		}
	})
}
