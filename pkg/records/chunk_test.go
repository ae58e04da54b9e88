package records

import (
	"strings"
	"testing"
)

// TestChunkMessagePath decodes every chunk the reference client published
// and encodes it back to the same value.
func TestChunkMessagePath(t *testing.T) {
	f := loadMP(t)
	n := 0
	for _, msg := range f.Messages {
		for owner, values := range msg.Published {
			if !strings.HasPrefix(owner, "chunk-") {
				continue
			}
			data, err := ParseChunk(values[0])
			if err != nil {
				t.Fatalf("%s: %v", owner, err)
			}
			got, err := EncodeChunk(data)
			if err != nil {
				t.Fatal(err)
			}
			if got != values[0] {
				t.Fatalf("%s: got %q, want %q", owner, got, values[0])
			}
			n++
		}
	}
	if n != 4+6+15 {
		t.Fatalf("checked %d chunks, want 25", n)
	}
}

func TestChunkSizes(t *testing.T) {
	for _, size := range []int{0, ChunkSize - 1, ChunkSize + 1} {
		if _, err := EncodeChunk(make([]byte, size)); err == nil {
			t.Errorf("encoded a %d-byte chunk", size)
		}
		if _, err := ParseChunk(Frame(ChunkPrefix, make([]byte, size))); err == nil {
			t.Errorf("parsed a %d-byte chunk", size)
		}
	}
	wire, err := EncodeChunk(make([]byte, ChunkSize))
	if err != nil || len(wire) != ChunkWireSize {
		t.Fatalf("got %d bytes, %v; want %d", len(wire), err, ChunkWireSize)
	}
	for _, bad := range []string{
		"v=dmp1;t=chunk;m=e30=;d=" + wire[len(ChunkPrefix):],
		"v=dmp1; t=chunk;d=" + wire[len(ChunkPrefix):],
		wire[:len(wire)-1],
		strings.Replace(wire, "A", "-", 1),
	} {
		if _, err := ParseChunk(bad); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}
