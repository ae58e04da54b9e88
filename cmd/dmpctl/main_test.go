package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, _, err := runErr(t, args...)
	return out, err
}

// runErr runs dmpctl with args and returns its stdout and stderr.
func runErr(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// startAdmin serves the admin endpoint of a node serving example.org on
// an embedded store and returns the global flags that reach it.
func startAdmin(t *testing.T) []string {
	t.Helper()
	g, _ := startAdminStore(t)
	return g
}

// startAdminStore is startAdmin that also returns the store.
func startAdminStore(t *testing.T) ([]string, *boltstore.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "dmp.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	const token = "operator-token-0123456789"
	srv := httptest.NewServer(admin.New(token, st, []string{"example.org."}, nil, nil))
	t.Cleanup(srv.Close)
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--admin", srv.URL, "--token-file", tokenFile}, st
}

func TestKeys(t *testing.T) {
	g := startAdmin(t)

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
		{"unknown keys command", []string{"keys", "bogus"}, 3,
			`unknown command "bogus" for "dmpctl keys"`},
		{"no keys command", []string{"keys"}, 3, "missing command"},
		{"missing argument", []string{"keys", "revoke"}, 3, "argument"},
		{"unknown flag", []string{"keys", "list", "--nope"}, 3, "unknown flag"},
		{"no scope", []string{"--token-file", good, "keys", "add", "k."}, 3, "scope"},
		{"no token file", []string{"keys", "list"}, 3, "--token-file is required"},
		{"empty token file", []string{"--token-file", empty, "keys", "list"}, 1, "is empty"},
		{"missing token file", []string{"--token-file", empty + "x", "keys", "list"}, 1,
			"no such file"},
		{"node unreachable", []string{"--admin", down, "--token-file", good, "keys", "list"},
			2, "connect"},
		{"negative ttl", addTo(down, good, "--ttl", "-1h"), 3, "--ttl -1h0m0s: want"},
		{"sub-second ttl", addTo(down, good, "--ttl", "500ms"), 3, "--ttl 500ms: want"},
		{"zero ttl", addTo(down, good, "--ttl", "0s"), 3, "leave --ttl out"},
		{"fractional ttl", addTo(down, good, "--ttl", "1500ms"), 3, "whole number"},
		{"root scope", addTo(down, good, "--scope", "."), 3, `scope pattern "."`},
		{"md5", addTo(down, good, "--algorithm", "hmac-md5"), 3, "want hmac-sha256"},
		{"bad secret", addTo(down, good, "--secret", "not base64!"), 3, "base64"},
		{"bad key name", []string{"--admin", down, "--token-file", good, "keys", "add",
			"bad name", "--scope", "k.example.org"}, 3, `key name "bad name"`},
		{"empty key name", []string{"--admin", down, "--token-file", good, "keys", "add",
			"", "--scope", "k.example.org"}, 3, `key name ""`},
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

// addTo is a valid "keys add" sent to the admin URL with tokenFile, and
// extra flags: a usage error in them must be found before the request,
// which would fail with exit 2 if admin is down.
func addTo(admin, tokenFile string, extra ...string) []string {
	return append([]string{"--admin", admin, "--token-file", tokenFile, "keys", "add",
		"k.example.org", "--scope", "k.example.org"}, extra...)
}

// TestRequestErrors checks the exit code of each way the node can answer
// a request: a 400 (arguments dmpctl could not check itself) and the 409s
// a flag would accept are usage errors, everything else a node error.
func TestRequestErrors(t *testing.T) {
	status := func(code int, reason, conflict string) error {
		return &admin.StatusError{Method: "POST", Path: "/v1/keys", Status: code,
			Reason: reason, Code: conflict}
	}
	cases := []struct {
		name string
		err  error
		want int
		text string
	}{
		{"bad request", status(400, "scope pattern: bad", ""), exitUsage, "HTTP 400"},
		{"zone-wide", status(409, "scope covers", admin.CodeZoneWide), exitUsage,
			"scope covers; pass --force if that is meant"},
		{"exists", status(409, "key k. exists; revoke it first, or pass --replace",
			admin.CodeKeyExists), exitUsage, "or pass --replace"},
		{"token", status(401, "unauthorized", ""), exitNode, "HTTP 401"},
		{"unknown key", status(404, "no key k.", ""), exitNode, "HTTP 404"},
		{"store down", status(503, "store unavailable", ""), exitNode, "HTTP 503"},
		{"unreachable", errors.New("connect: connection refused"), exitNode, "connect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := addError(tc.err)
			if got := exitCode(err); got != tc.want || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got exit %d (%v), want %d with %q", got, err, tc.want, tc.text)
			}
		})
	}
	if got := exitCode(requestError(status(400, "bad", ""))); got != exitUsage {
		t.Fatalf("revoke or list with HTTP 400: got exit %d, want %d", got, exitUsage)
	}
	if got := exitCode(nil); got != 0 {
		t.Fatalf("no error: got exit %d, want 0", got)
	}
}

// TestKeysOddName checks that dmpctl revokes a key stored under a name it
// would not add (an older node took "bad name").
func TestKeysOddName(t *testing.T) {
	g, st := startAdminStore(t)
	ctx := context.Background()
	odd := store.Key{Name: "bad name.", Scope: []string{"k"}, Algorithm: "hmac-sha256.",
		Secret: "YWxpY2Utc2VjcmV0LWFsaWNlLXNlY3JldC0xMjM0NTY="}
	if err := st.PutKey(ctx, odd); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, append(g, "keys", "revoke", "bad name.")...); err != nil ||
		out != "revoked bad name.\n" {
		t.Fatalf("revoke: got %q, %v", out, err)
	}
	if _, err := st.GetKey(ctx, "bad name."); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after revoke: got %v, want ErrNotFound", err)
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

// TestZoneWide checks that the node's refusal of a scope covering a
// served zone is a usage error naming --force, and that --force adds the
// key with the node's warning on stderr.
func TestZoneWide(t *testing.T) {
	g := startAdmin(t)
	for i, scope := range []string{"example.org", "*.example.org", "*", "org"} {
		t.Run(scope, func(t *testing.T) {
			name := fmt.Sprintf("k%d.example.org", i)
			add := append(g, "keys", "add", name, "--scope", scope)
			_, err := run(t, add...)
			if got := exitCode(err); got != exitUsage || !strings.Contains(fmt.Sprint(err),
				"--force") {
				t.Fatalf("unforced: got exit %d (%v), want %d naming --force", got, err,
					exitUsage)
			}
			out, errOut, err := runErr(t, append(add, "--force")...)
			if err != nil || !strings.HasPrefix(out, "key hmac-sha256 "+name+".") ||
				!strings.Contains(errOut, "dmpctl: warning: scope") {
				t.Fatalf("forced: got %q, %q, %v; want the key and a warning", out, errOut,
					err)
			}
		})
	}

	out, errOut, err := runErr(t, append(g, "keys", "add", "relay.example.org",
		"--scope", "slot-*.mb-*.example.org")...)
	if err != nil || out == "" || errOut != "" {
		t.Fatalf("mailbox scope: got %q, %q, %v; want the key without a warning", out,
			errOut, err)
	}
}

// TestKeysReplace checks that adding a name that has a key is a usage
// error naming --replace that leaves the key alone, and that --replace
// replaces it, printing the new secret and saying so on stderr.
func TestKeysReplace(t *testing.T) {
	g, st := startAdminStore(t)
	add := append(g, "keys", "add", "relay.example.org", "--scope", "slot-*.mb-*.example.org")
	out, err := run(t, add...)
	if err != nil {
		t.Fatalf("first add: %v", err)
	}
	first := secretOf(t, out)

	out, errOut, err := runErr(t, append(add, "--ttl", "1h")...)
	want := "key relay.example.org. exists; revoke it first, or pass --replace"
	if got := exitCode(err); got != exitUsage || fmt.Sprint(err) != want || out != "" ||
		errOut != "" {
		t.Fatalf("second add: got exit %d (%v), %q, %q; want %d %q", got, err, out, errOut,
			exitUsage, want)
	}
	if k, _ := st.GetKey(context.Background(), "relay.example.org."); k.Secret != first ||
		!k.Expires.IsZero() {
		t.Fatalf("after the refused add: stored %+v, want the first key", k)
	}

	out, errOut, err = runErr(t, append(add, "--ttl", "1h", "--replace")...)
	if err != nil || errOut != "dmpctl: replaced the key relay.example.org.; its old "+
		"secret no longer verifies\n" {
		t.Fatalf("replace: got %q, %v", errOut, err)
	}
	k, _ := st.GetKey(context.Background(), "relay.example.org.")
	if second := secretOf(t, out); second == first || k.Secret != second || k.Expires.IsZero() {
		t.Fatalf("replace: printed %q, stored %+v; want the new key stored", out, k)
	}
}

// secretOf returns the secret "keys add" printed.
func secretOf(t *testing.T, out string) string {
	t.Helper()
	_, secret, ok := strings.Cut(out, "\nsecret ")
	if !ok || len(strings.TrimSpace(secret)) != 44 {
		t.Fatalf("keys add printed %q, want a 32-byte secret", out)
	}
	return strings.TrimSpace(secret)
}

// TestKeysTTL checks that without --ttl a key never expires and that a
// whole --ttl sets the expiry that many seconds after its creation.
func TestKeysTTL(t *testing.T) {
	g, st := startAdminStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		args []string
		want time.Duration // 0: never expires
	}{
		{"forever.example.org", nil, 0},
		{"second.example.org", []string{"--ttl", "1s"}, time.Second},
		{"quarter.example.org", []string{"--ttl", "2160h"}, 2160 * time.Hour},
	} {
		args := append(g, append([]string{"keys", "add", tc.name, "--scope", tc.name},
			tc.args...)...)
		if _, err := run(t, args...); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		k, err := st.GetKey(ctx, tc.name+".")
		if got := k.Expires.Sub(k.Created); err != nil || k.Expires.IsZero() != (tc.want == 0) ||
			tc.want != 0 && got != tc.want {
			t.Fatalf("%s: stored %+v (%v), want a lifetime of %v", tc.name, k, err, tc.want)
		}
	}
}
