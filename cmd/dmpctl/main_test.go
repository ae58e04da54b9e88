package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/store/boltstore"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "dmp.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const token = "operator-token-0123456789"
	srv := httptest.NewServer(admin.New(token, st, nil, nil))
	defer srv.Close()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g := []string{"--admin", srv.URL, "--token-file", tokenFile}

	out, err := run(t, append(g, "keys", "add", "ops.example.org", "--scope", "example.org",
		"--scope", "slot-*.mb-*.example.org", "--algorithm", "hmac-sha512")...)
	if err != nil || !strings.HasPrefix(out, "key hmac-sha512 ops.example.org.\nsecret ") {
		t.Fatalf("add: got %q, %v", out, err)
	}
	out, err = run(t, append(g, "keys", "list")...)
	if err != nil || !strings.Contains(out, "ops.example.org.") ||
		!strings.Contains(out, "example.org,slot-*.mb-*.example.org") {
		t.Fatalf("list: got %q, %v", out, err)
	}
	if _, err := run(t, append(g, "keys", "revoke", "ops.example.org.")...); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := run(t, append(g, "keys", "revoke", "ops.example.org.")...); err == nil {
		t.Fatal("second revoke: got nil, want an error")
	}
	out, _ = run(t, append(g, "keys", "list", "--json")...)
	if strings.TrimSpace(out) != "[]" {
		t.Fatalf("list after revoke: got %q, want []", out)
	}
}

func TestUsage(t *testing.T) {
	_, err := run(t, "keys", "revoke")
	if exitCode(err) != 2 {
		t.Fatalf("got exit %d (%v), want 2", exitCode(err), err)
	}
	_, err = run(t, "keys", "list")
	if exitCode(err) != 2 {
		t.Fatalf("no token file: got exit %d (%v), want 2", exitCode(err), err)
	}
}
