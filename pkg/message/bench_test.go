package message

import (
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/pkg/erasure"
)

// benchSizes are a 1 KiB body and the largest v1 body at a 3-digit ttl.
var benchSizes = []struct {
	name string
	size int
}{
	{"1KiB", 1024},
	{"max", erasure.MaxPayload - 360},
}

func BenchmarkBuild(b *testing.B) {
	h := newHostile(b)
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			m := h.message(h.bob, strings.Repeat("x", s.size))
			m.SenderAddr = ""
			b.SetBytes(int64(s.size))
			for b.Loop() {
				m.Rand = nil
				if _, err := Build(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReceive(b *testing.B) {
	h := newHostile(b)
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			m := h.message(h.bob, strings.Repeat("x", s.size))
			m.SenderAddr = ""
			sent, err := Build(m)
			if err != nil {
				b.Fatal(err)
			}
			z := zoneData{}
			z.add(sent.Records())
			r := h.recipient()
			b.SetBytes(int64(s.size))
			for b.Loop() {
				if _, err := Receive(sent.Manifest.Value, vectorZone, r, z.lookup, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
