package discovery

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/keys"
)

// The reference vectors come from the Python reference implementation,
// DNSMeshProtocol v0.7.5, copied unchanged into testdata/vectors/reference.

// dmpKey returns the Ed25519 key the reference's DMPCrypto derives from a
// 32-byte seed taken as an X25519 private key: the seed of the Ed25519 key
// is SHA-256(x25519_priv || "DMP-v1-Ed25519-signing-key")
// (records-server-cli.md §0.3). Every vector file except heartbeats signs
// this way.
func dmpKey(tb testing.TB, seedHex string) ed25519.PrivateKey {
	tb.Helper()
	id, err := keys.FromX25519(vectors.Unhex(tb, seedHex))
	if err != nil {
		tb.Fatalf("derive key from seed %s: %v", seedHex, err)
	}
	return id.Ed25519
}

// vectorNow picks the clock for a vector case (DECISIONS W2): the case's
// verify_with_now when it has one, else exp - 86400.
func vectorNow(verifyWithNow *int64, exp uint64) time.Time {
	if verifyWithNow != nil {
		return time.Unix(*verifyWithNow, 0)
	}
	return time.Unix(int64(exp)-86400, 0)
}

// vectorReason returns the refusal reason a failing vector case must give,
// from the kind its description starts with.
func vectorReason(tb testing.TB, description string) string {
	tb.Helper()
	for _, k := range []struct{ prefix, reason string }{
		{"signature/binding", "not the expected key"},
		{"signature", "signature does not verify"},
		{"cosign", "signature does not verify"},
		{"expired", "expired"},
		{"stale", "older than"},
	} {
		if strings.HasPrefix(description, k.prefix) {
			return k.reason
		}
	}
	tb.Fatalf("no expected reason for vector %q", description)
	return ""
}
