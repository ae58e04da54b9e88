package dmp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// TestNodeRegistration goes from nothing to a working per-user key over
// HTTP: register with the project's client, then publish the user's
// identity with nsupdate under the minted key and read it back with DNS.
func TestNodeRegistration(t *testing.T) {
	n := startWriteNode(t)
	seed := sha256.Sum256([]byte("registration test user"))
	id, err := keys.FromX25519(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := dnsio.RegisterTSIG(ctx, nil, "http://"+n.HTTP, "carol@example.org", id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Zone != "example.org" || m.Subject != "carol@example.org" {
		t.Fatalf("got %+v", m)
	}

	rec := records.Identity{Username: "carol", TS: uint64(time.Now().Unix())}
	copy(rec.X25519[:], id.X25519Public)
	copy(rec.Ed25519[:], id.Ed25519Public)
	wire, err := rec.Sign(id.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	owner := names.IdentityHashed("carol", "example.org") + "."
	secret, err := hex.DecodeString(m.SecretHex)
	if err != nil {
		t.Fatal(err)
	}
	key := m.KeyName + " " + base64.StdEncoding.EncodeToString(secret)
	out, err := updateTools[1].run(t, script(n, key, "update add "+owner+" 300 TXT "+quoted(wire)))
	if err != nil {
		t.Fatalf("nsupdate with the minted key: %v\n%s", err, out)
	}
	if got := n.values(t, owner, "udp"); len(got) != 1 || got[0] != wire {
		t.Fatalf("identity served: got %v", got)
	}

	// The minted scope does not reach another user's identity, even with
	// a record valid at that name: only the scope check can refuse it.
	other := names.IdentityHashed("dave", "example.org") + "."
	rec.Username = "dave"
	daveWire, err := rec.Sign(id.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	out, err = updateTools[0].run(t, script(n, key,
		"update add "+other+" 300 TXT "+quoted(daveWire)))
	if err == nil || !strings.Contains(out, "REFUSED") {
		t.Fatalf("scope escape with the minted key: got %v, want REFUSED:\n%s", err, out)
	}
	if got := n.values(t, other, "udp"); len(got) != 0 {
		t.Fatalf("scope escape stored %v", got)
	}

	// Revoked through the admin endpoint, the key stops working at once.
	if err := n.admin.Revoke(ctx, m.KeyName); err != nil {
		t.Fatal(err)
	}
	out, err = updateTools[0].run(t, script(n, key, "update delete "+owner+" TXT"))
	if err == nil {
		t.Fatalf("revoked key still works:\n%s", out)
	}
	if got := n.values(t, owner, "udp"); len(got) != 1 {
		t.Fatalf("identity after refused delete: got %v", got)
	}
}
