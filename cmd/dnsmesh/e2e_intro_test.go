package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// introIDs returns the ids in u's intro queue, read from `intro list
// --json` with parseMessages.
func introIDs(t *testing.T, u *user) []uint64 {
	t.Helper()
	out, _ := u.ok("intro", "list", "--json")
	var ids []uint64
	for _, m := range parseMessages(t, out) {
		ids = append(ids, m.ID)
	}
	return ids
}

// contactKeys returns u's contacts by name, as contacts list --json
// prints them.
func contactKeys(t *testing.T, u *user) map[string]contactView {
	t.Helper()
	out, _ := u.ok("contacts", "list", "--json")
	var cs []contactView
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		t.Fatalf("contacts list --json got %q: %v", out, err)
	}
	m := map[string]contactView{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

// TestIntroTrustKeepsPinnedName: trusting an intro under the name of a
// contact pinned to another key is refused with a hint, the contact is
// unchanged and the intro stays queued; another name works.
func TestIntroTrustKeepsPinnedName(t *testing.T) {
	n := e2eNode(t)
	alice, bob, carol := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob"),
		newE2EUser(t, n, "carol")
	bob.ok("identity", "fetch", alice.addr(), "--add")
	carol.ok("identity", "fetch", bob.addr(), "--add")
	carol.send(bob.addr(), "carol, posing as nobody")
	bob.ok("recv")
	ids := introIDs(t, bob)
	if len(ids) != 1 {
		t.Fatalf("bob's intro queue holds %v, want carol's message", ids)
	}
	before := contactKeys(t, bob)[alice.addr()]

	id := fmt.Sprint(ids[0])
	_, errs, code := bob.run("", "intro", "trust", id, "--name", alice.addr())
	if code != exitError || !strings.Contains(errs, "pinned to another key") ||
		!strings.Contains(errs, "hint: the intro stays queued; choose another --name") {
		t.Fatalf("trust --name %s exited %d with %q, want a refusal with a hint",
			alice.addr(), code, errs)
	}
	if after := contactKeys(t, bob)[alice.addr()]; after != before || after.X25519 == "" {
		t.Fatalf("contact %s changed from %+v to %+v", alice.addr(), before, after)
	}
	if got := introIDs(t, bob); len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("intro queue holds %v after the refusal, want %v", got, ids)
	}

	out, _ := bob.ok("intro", "trust", id, "--name", "carol")
	if !strings.Contains(out, "trust: intro "+id+" from carol") {
		t.Fatalf("trust --name carol printed %q", out)
	}
	if c, ok := contactKeys(t, bob)["carol"]; !ok || c.Ed25519 == "" || c.Ed25519 ==
		before.Ed25519 {
		t.Fatalf("contacts after trust: %+v, want carol pinned by her own key", c)
	}
}
