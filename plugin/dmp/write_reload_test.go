package dmp

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/keys"
)

// TestNodeReload reloads a node that serves registration and key
// administration on the embedded store, once after editing its Corefile
// and once as it is, and checks both listeners still serve, backed by the
// new instance's store, after each reload.
func TestNodeReload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts coredns-dmp")
	}
	dir := t.TempDir()
	token := "operator-token-for-reload-tests"
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	adminAddr := freeLoopback(t)
	n := nodetest.Start(t, fmt.Sprintf(`example.org:{{PORT}} {
	bind 127.0.0.1
	dmp {
		ttl 60
		registration 127.0.0.1:{{HTTP}} node.example.org
		registration_rate 50 1h
		admin %s %s
	}
}
`, adminAddr, tokenFile))
	adm := &admin.Client{URL: "http://" + adminAddr, Token: token}

	registerAt(t, n, "alice@example.org")
	if err := n.EditCorefile(func(s string) string {
		return strings.Replace(s, "ttl 60", "ttl 30", 1)
	}); err != nil {
		t.Fatal(err)
	}
	for i, subject := range []string{"bob@example.org", "carol@example.org"} {
		if err := n.Reload(); err != nil {
			t.Fatalf("reload %d: %v", i+1, err)
		}
		registerAt(t, n, subject)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ks, err := adm.List(ctx)
	if err != nil {
		t.Fatalf("admin after reloads: %v", err)
	}
	if len(ks) != 3 {
		t.Fatalf("admin lists %d keys after reloads, want 3", len(ks))
	}
	if strings.Contains(n.Output(), "address already in use") {
		t.Fatalf("a listener failed to bind:\n%s", n.Output())
	}
}

// registerAt registers subject with the node over HTTP.
func registerAt(t *testing.T, n *nodetest.Node, subject string) {
	t.Helper()
	seed := sha256.Sum256([]byte("reload test " + subject))
	id, err := keys.FromX25519(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := dnsio.RegisterTSIG(ctx, nil, "http://"+n.HTTP, subject, id)
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	if m.Subject != subject {
		t.Fatalf("registered %q, want %q", m.Subject, subject)
	}
}
