package records

import (
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// fuzzSeeds adds every TXT value in the vectors that starts with prefix,
// with a clock it parses at.
func fuzzSeeds(f *testing.F, prefix string) {
	mp := loadMP(f)
	for _, msg := range mp.Messages {
		for _, values := range msg.Published {
			for _, v := range values {
				if len(v) >= len(prefix) && v[:len(prefix)] == prefix {
					f.Add(v, msg.Now)
				}
			}
		}
	}
	for _, c := range mp.Claims {
		if prefix == ClaimPrefix {
			f.Add(c.Wire, mp.FixedNow)
		}
	}
	for _, file := range []string{"slot_manifest.json", "prekey.json", "identity_record.json"} {
		for _, c := range loadRef(f, file) {
			w := string(vectors.Unhex(f, c.WireHex))
			if len(w) >= len(prefix) && w[:len(prefix)] == prefix {
				f.Add(w, int64(2051222400-86400))
			}
		}
	}
}

// The fuzz targets check that no input panics a parser and that a record
// that parses encodes back to exactly its input: one encoding per value.

func FuzzParseManifest(f *testing.F) {
	fuzzSeeds(f, ManifestPrefix)
	f.Fuzz(func(t *testing.T, wire string, now int64) {
		m, err := ParseManifest(wire, time.Unix(now, 0))
		if err != nil {
			return
		}
		if got, err := m.Encode(); err != nil || got != wire {
			t.Fatalf("re-encode: got %q, %v; want %q", got, err, wire)
		}
	})
}

func FuzzParsePrekey(f *testing.F) {
	fuzzSeeds(f, PrekeyPrefix)
	f.Fuzz(func(t *testing.T, wire string, now int64) {
		p, err := ParsePrekeyUnverified(wire, time.Unix(now, 0))
		if err != nil {
			return
		}
		if got, err := p.Encode(); err != nil || got != wire {
			t.Fatalf("re-encode: got %q, %v; want %q", got, err, wire)
		}
		// Under a key of the wrong length the verified parse accepts
		// nothing.
		if _, err := ParsePrekey(wire, p.Public[:31], time.Unix(now, 0)); err == nil {
			t.Fatal("verified under a 31-byte key")
		}
	})
}

func FuzzParseIdentity(f *testing.F) {
	fuzzSeeds(f, IdentityPrefix)
	f.Fuzz(func(t *testing.T, wire string, _ int64) {
		r, err := ParseIdentity(wire)
		if err != nil {
			return
		}
		if got, err := r.Encode(); err != nil || got != wire {
			t.Fatalf("re-encode: got %q, %v; want %q", got, err, wire)
		}
	})
}

func FuzzParseClaim(f *testing.F) {
	fuzzSeeds(f, ClaimPrefix)
	f.Fuzz(func(t *testing.T, wire string, now int64) {
		c, err := ParseClaim(wire, time.Unix(now, 0))
		if err != nil {
			return
		}
		if got, err := c.Encode(); err != nil || got != wire {
			t.Fatalf("re-encode: got %q, %v; want %q", got, err, wire)
		}
	})
}

func FuzzParseChunk(f *testing.F) {
	fuzzSeeds(f, ChunkPrefix)
	f.Fuzz(func(t *testing.T, wire string, _ int64) {
		data, err := ParseChunk(wire)
		if err != nil {
			return
		}
		if got, err := EncodeChunk(data); err != nil || got != wire {
			t.Fatalf("re-encode: got %q, %v; want %q", got, err, wire)
		}
	})
}
