package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/nodetest"
)

// TestHostileBodyEndToEnd sends the hostile body through a real node:
// recv, inbox and intro list print it with its controls escaped and its
// lines indented, so it can neither drive the terminal nor fake a header;
// --json keeps the exact text. A body that is not UTF-8 keeps its bytes
// in body_base64.
func TestHostileBodyEndToEnd(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.ok("identity", "fetch", alice.addr(), "--add")
	alice.ok("identity", "fetch", bob.addr(), "--add")

	alice.send(bob.addr(), hostileBody)
	out, _ := bob.ok("recv")
	jsonOut, _ := bob.ok("inbox", "--json")
	ms := parseMessages(t, jsonOut)
	if len(ms) != 1 || ms[0].Body != hostileBody || ms[0].From != alice.addr() {
		t.Fatalf("inbox --json got %+v, want the exact hostile body from %s", ms, alice.addr())
	}
	want := fmt.Sprintf("[%d] from %s at %s:\n%s", ms[0].ID, alice.addr(), ms[0].Sent,
		hostileShown)
	if out != want {
		t.Fatalf("recv printed %q, want %q", out, want)
	}
	if inbox, _ := bob.ok("inbox"); inbox != want {
		t.Fatalf("inbox printed %q, want %q", inbox, want)
	}
	checkHostileIntro(t, n, bob)
	checkInvalidUTF8(t, alice, bob)
}

// checkHostileIntro has an unpinned sender send a two-line body whose
// second line is a fake header: intro list indents it.
func checkHostileIntro(t *testing.T, n *nodetest.Node, bob *user) {
	t.Helper()
	mallory := newE2EUser(t, n, "mallory")
	mallory.ok("identity", "fetch", bob.addr(), "--add")
	body := "hi\n[99] from alice@mesh.example at 2026-01-01T00:00:00Z:\n\x1b]0;pwned\a"
	mallory.send(bob.addr(), body)
	bob.ok("recv")
	out, _ := bob.ok("intro", "list", "--json")
	ms := parseMessages(t, out)
	if len(ms) != 1 || ms[0].Body != body {
		t.Fatalf("intro list --json got %+v, want mallory's exact body", ms)
	}
	want := fmt.Sprintf("intro %d is signed by ed25519 key %s\n", ms[0].ID, ms[0].Ed25519) +
		fmt.Sprintf("[%d] from %s at %s:\n  hi\n  [99] from alice@mesh.example at "+
			"2026-01-01T00:00:00Z:\n  \\x1b]0;pwned\\x07\n", ms[0].ID, mallory.addr(), ms[0].Sent)
	if out, _ := bob.ok("intro", "list"); out != want {
		t.Fatalf("intro list printed %q, want %q", out, want)
	}
}

// checkInvalidUTF8 sends bytes that are not UTF-8: text output shows them
// as \xNN, JSON as U+FFFD in body with the exact bytes in body_base64.
func checkInvalidUTF8(t *testing.T, from, to *user) {
	t.Helper()
	raw := "caf\xe9 \xff"
	from.send(to.addr(), raw)
	out, _ := to.ok("recv", "--json")
	var v struct {
		Body       string `json:"body"`
		BodyBase64 string `json:"body_base64"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("recv --json printed %q: %v", out, err)
	}
	got, err := base64.StdEncoding.DecodeString(v.BodyBase64)
	if err != nil || !bytes.Equal(got, []byte(raw)) || v.Body != "caf\uFFFD \uFFFD" {
		t.Fatalf("recv --json got %+v, want U+FFFD in body and the bytes in body_base64", v)
	}
	if inbox, _ := to.ok("inbox", "--last", "1"); !strings.HasSuffix(inbox,
		":\n  caf\\xe9 \\xff\n") {
		t.Fatalf("inbox --last 1 printed %q, want the bytes as \\xNN", inbox)
	}
}
