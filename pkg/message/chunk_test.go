package message

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/records"
)

// TestWrapShareVectors checks the wrapped chunks of every erasure case in
// testdata/vectors/fec.json (reference core/chunking.py wrap_block).
func TestWrapShareVectors(t *testing.T) {
	var v struct {
		Erasure []struct {
			Shares []string `json:"shares"`
			Wire   []string `json:"wire_chunks"`
		} `json:"erasure"`
	}
	vectors.Load(t, "fec.json", &v)
	checked := 0
	for ci, c := range v.Erasure {
		for i, w := range c.Wire {
			share := vectors.Unhex(t, c.Shares[i])
			got, err := WrapShare(share)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != w {
				t.Fatalf("case %d chunk %d: got %x, want %s", ci, i, got, w)
			}
			back, err := UnwrapShare(got)
			if err != nil || !bytes.Equal(back, share) {
				t.Fatalf("case %d chunk %d: unwrap got %x, %v", ci, i, back, err)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no wire_chunks in fec.json")
	}
}

func TestUnwrapShare(t *testing.T) {
	share := bytes.Repeat([]byte{0xa5}, 128)
	wire, err := WrapShare(share)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(positions ...int) []byte {
		w := bytes.Clone(wire)
		for _, p := range positions {
			w[p] ^= 0x5a
		}
		return w
	}
	many := make([]int, 17)
	for i := range many {
		many[i] = 8 + 3*i
	}
	cases := []struct {
		name string
		wire []byte
		ok   bool
	}{
		{"clean", wire, true},
		{"one error repaired", flip(20), true},
		{"sixteen errors repaired", flip(many[:16]...), true},
		{"seventeen errors", flip(many...), false},
		{"checksum damaged", flip(0), false},
		{"short", wire[:167], false},
		{"long", append(bytes.Clone(wire), 0), false},
		{"empty", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := UnwrapShare(c.wire)
			if c.ok != (err == nil) {
				t.Fatalf("got err %v, want ok=%v", err, c.ok)
			}
			if c.ok && !bytes.Equal(got, share) {
				t.Fatalf("got %x, want %x", got, share)
			}
		})
	}
}

func TestWrapShareRefusesLength(t *testing.T) {
	for _, n := range []int{0, 127, 129} {
		if _, err := WrapShare(make([]byte, n)); err == nil {
			t.Errorf("WrapShare(%d bytes): got nil error, want one", n)
		}
	}
}

// FuzzChunk feeds arbitrary chunk TXT values through the receiver's chunk
// path: record parse, then RS repair and checksum. It must never panic,
// and a share it accepts must survive a wrap and unwrap unchanged.
func FuzzChunk(f *testing.F) {
	fx := loadFixture(f)
	for _, m := range fx.vec.Messages {
		for owner, values := range m.Published {
			if strings.HasPrefix(owner, "chunk-") {
				f.Add(values[0])
			}
		}
	}
	f.Add("v=dmp1;t=chunk;d=")
	f.Add("v=dmp1;t=chunk;d=AAAA")
	f.Fuzz(func(t *testing.T, value string) {
		wire, err := records.ParseChunk(value)
		if err != nil {
			return
		}
		share, err := UnwrapShare(wire)
		if err != nil {
			if !errors.Is(err, errChunk) {
				t.Fatalf("UnwrapShare error %v does not wrap errChunk", err)
			}
			return
		}
		again, err := WrapShare(share)
		if err != nil {
			t.Fatalf("WrapShare of an accepted share: %v", err)
		}
		if back, err := UnwrapShare(again); err != nil || !bytes.Equal(back, share) {
			t.Fatalf("round trip: got %x, %v; want %x", back, err, share)
		}
	})
}

func TestWireChunkSizeMatchesRecords(t *testing.T) {
	if WireChunkSize != records.ChunkSize {
		t.Fatalf("got WireChunkSize %d, want records.ChunkSize %d", WireChunkSize,
			records.ChunkSize)
	}
}
