package main

import (
	"bytes"
	"context"
	"net"
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
	root.SetErr(&bytes.Buffer{})
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
		"--scope", "slot-*.mb-*.example.org", "--algorithm", "hmac-sha512", "--force")...)
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

// Exit codes follow dnsmesh's table: 1 local, 2 network or node, 3 usage.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "token")
	if err := os.WriteFile(good, []byte("operator-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	down := "http://" + freeAddr(t)
	cases := []struct {
		name string
		args []string
		want int
		text string
	}{
		{"no command", nil, 3, "missing command"},
		{"unknown command", []string{"frob"}, 3, "unknown command"},
		{"missing argument", []string{"keys", "revoke"}, 3, "argument"},
		{"unknown flag", []string{"keys", "list", "--nope"}, 3, "unknown flag"},
		{"no scope", []string{"--token-file", good, "keys", "add", "k."}, 3, "scope"},
		{"no token file", []string{"keys", "list"}, 3, "--token-file is required"},
		{"zone-wide scope", []string{"--token-file", good, "keys", "add", "k.",
			"--scope", "example.org"}, 3, "--force"},
		{"empty token file", []string{"--token-file", empty, "keys", "list"}, 1, "is empty"},
		{"missing token file", []string{"--token-file", empty + "x", "keys", "list"}, 1,
			"no such file"},
		{"node unreachable", []string{"--admin", down, "--token-file", good, "keys", "list"},
			2, "connect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, c.args...)
			if got := exitCode(err); got != c.want || err == nil ||
				!strings.Contains(err.Error(), c.text) {
				t.Fatalf("got exit %d (%v), want %d with %q", got, err, c.want, c.text)
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestZoneWide(t *testing.T) {
	cases := []struct {
		scope string
		want  bool
	}{
		{"*", true},
		{".", true},
		{"example.org", true},
		{"example.org.", true},
		{"*.example.org", true},
		{"*-*.example.org", true},
		{"Mesh.Example", true},
		{"slot-*.mb-*.example.org", false},
		{"chunk-*-*.example.org", false},
		{"id-0123456789abcdef.example.org", false},
		{"claim-*.mb-0123456789ab.example.org", false},
		{"_dnsmesh-heartbeat.example.org", false},
	}
	for _, c := range cases {
		t.Run(c.scope, func(t *testing.T) {
			if got := zoneWide(c.scope); got != c.want {
				t.Errorf("zoneWide(%q): got %v, want %v", c.scope, got, c.want)
			}
		})
	}
}
