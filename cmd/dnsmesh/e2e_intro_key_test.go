package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestIntroSigningKeyEndToEnd: intro list shows the sender's signing key,
// in text and JSON, equal to the one the sender's 'identity show' prints;
// a contact trusted from the queue has no encryption key yet, and sending
// to it fails with a hint to fetch the identity, which then works.
func TestIntroSigningKeyEndToEnd(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.ok("identity", "refresh-prekeys", "--count", "3")
	alice.ok("identity", "refresh-prekeys", "--count", "3")
	alice.ok("identity", "fetch", bob.addr(), "--add")
	alice.send(bob.addr(), "hello from a stranger")
	bob.ok("recv")

	out, _ := alice.ok("identity", "show", "--json")
	var shown struct {
		Ed25519 string `json:"ed25519_public"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || len(shown.Ed25519) != 64 {
		t.Fatalf("identity show --json %q: %v", out, err)
	}
	ms := introList(t, bob, []wantMsg{{alice.addr(), "hello from a stranger"}})
	if ms[0].Ed25519 != shown.Ed25519 {
		t.Fatalf("intro list --json ed25519_public %q, want alice's key %s", ms[0].Ed25519,
			shown.Ed25519)
	}
	text, _ := bob.ok("intro", "list")
	if want := fmt.Sprintf("intro %d is signed by ed25519 key %s\n", ms[0].ID,
		shown.Ed25519); !strings.HasPrefix(text, want) {
		t.Fatalf("intro list printed %q, want it to start %q", text, want)
	}

	bob.ok("intro", "trust", fmt.Sprint(ms[0].ID))
	_, errs, code := bob.run("", "send", alice.addr(), "hi back")
	hint := "dnsmesh: hint: run 'dnsmesh identity fetch " + alice.addr() +
		" --add' to get their encryption key"
	if code != exitError || !strings.Contains(errs, "contact has no encryption key yet") ||
		!strings.Contains(errs, hint) {
		t.Fatalf("send to a trusted intro: exit %d, stderr %q; want exit 1 and %q", code,
			errs, hint)
	}
	bob.ok("identity", "fetch", alice.addr(), "--add")
	bob.send(alice.addr(), "hi back")
}
