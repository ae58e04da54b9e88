// Package clienttime holds the Go half of the client timing benchmark
// (bench/client-timings.sh): the cost of deriving an identity from a
// passphrase, which every dnsmesh command pays once (Argon2id t=2,
// m=32 MiB, p=2; message-path.md §2).
package clienttime

import (
	"bytes"
	"testing"

	"github.com/dnsmesh/dmp/pkg/keys"
)

// BenchmarkFromPassphrase measures keys.FromPassphrase: Argon2id plus the
// Ed25519 key derived from its output.
func BenchmarkFromPassphrase(b *testing.B) {
	salt := bytes.Repeat([]byte{0x5a}, 32)
	for b.Loop() {
		if _, err := keys.FromPassphrase("correct horse battery staple", salt); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFromPassphraseDeterministic checks that the benchmarked call is the
// real derivation: the same passphrase and salt give the same keys, a
// different passphrase different ones.
func TestFromPassphraseDeterministic(t *testing.T) {
	salt := bytes.Repeat([]byte{0x5a}, 32)
	a, err := keys.FromPassphrase("one", salt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keys.FromPassphrase("one", salt)
	c, _ := keys.FromPassphrase("two", salt)
	if !bytes.Equal(a.X25519Public, b.X25519Public) {
		t.Errorf("got %x and %x for one passphrase, want equal keys", a.X25519Public,
			b.X25519Public)
	}
	if bytes.Equal(a.X25519Public, c.X25519Public) {
		t.Errorf("got %x for two passphrases, want different keys", a.X25519Public)
	}
}
