package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
)

// anchoredDomain is alice's identity domain, a name inside e2eZone.
const anchoredDomain = "alice." + e2eZone

// looseNode starts a node whose registered keys cover the whole zone: the
// default scope has only the hashed names, and writing dmp.<identity
// domain> needs a scope an operator grants (records-server-cli.md §B.5).
func looseNode(t *testing.T) *nodetest.Node {
	t.Helper()
	n, _ := startE2ENode(t, func(corefile string) string {
		return strings.Replace(corefile, "claims on", "claims on\n"+
			"        registration_scope loose", 1)
	})
	return n
}

// newAnchoredUser inits name with the identity domain anchoredDomain and
// its mailbox in e2eZone, registers a key and returns the user.
func newAnchoredUser(t *testing.T, n *nodetest.Node, name string) *user {
	u, out := initUser(t, n, name, "--identity-domain", anchoredDomain)
	if !strings.Contains(out, "address:     "+name+"@"+anchoredDomain) {
		t.Fatalf("init printed %q, want the address %s@%s", out, name, anchoredDomain)
	}
	u.ok("tsig", "register")
	return u
}

// TestZoneAnchoredIdentity: alice's address is alice@alice.mesh.example,
// her mailbox mesh.example. Bob fetches her by that address, finds her
// mailbox from the hashed record, seals to one of her prekeys (read in
// her mailbox, DECISIONS C3), and the claim lands in the zone she polls.
func TestZoneAnchoredIdentity(t *testing.T) {
	n := looseNode(t)
	alice := newAnchoredUser(t, n, "alice")
	out, _ := alice.ok("identity", "publish", "--advertise-v2", "--json")
	var pub struct{ Owners []string }
	want := names.IdentityAnchored(anchoredDomain)
	if err := json.Unmarshal([]byte(out), &pub); err != nil || len(pub.Owners) != 2 ||
		pub.Owners[1] != want {
		t.Fatalf("publish --json got %q (%v), want the hashed owner and %s", out, err, want)
	}
	alice.ok("identity", "refresh-prekeys", "--count", "3")
	bob := newE2EUser(t, n, "bob")

	addr := "alice@" + anchoredDomain
	fetched := fetchAnchored(t, bob, addr)
	if fetched.Owner != want || fetched.Mailbox != e2eZone {
		t.Fatalf("fetch got owner %s mailbox %s, want %s and %s", fetched.Owner,
			fetched.Mailbox, want, e2eZone)
	}
	alice.ok("identity", "fetch", bob.addr(), "--add")

	res, errs := bob.send(addr, "hi anchored alice")
	if res.PrekeyID == 0 || strings.Contains(errs, "not forward-secret") {
		t.Fatalf("send used no prekey; stderr: %s", errs)
	}
	checkClaimIn(t, n, alice, res.Slot, e2eZone)
	out, _ = alice.ok("recv")
	if !strings.Contains(out, "from bob@mesh.example") ||
		!strings.Contains(out, "hi anchored alice") {
		t.Fatalf("alice's recv got %q, want bob's message", out)
	}
	if alice.unconsumedPrekey(res.PrekeyID) {
		t.Error("the prekey bob used is not consumed in alice's state")
	}

	// The reply carries alice's anchored address, verified by bob.
	alice.send(bob.addr(), "hello from the anchored side")
	out, _ = bob.ok("recv")
	if !strings.Contains(out, "from "+addr) ||
		!strings.Contains(out, "hello from the anchored side") {
		t.Fatalf("bob's recv got %q, want alice's reply from %s", out, addr)
	}
}

// fetchAnchored pins addr for u and returns what fetch printed; it fails
// on a warning that the mailbox was not found.
func fetchAnchored(t *testing.T, u *user, addr string) candidateView {
	t.Helper()
	out, errs := u.ok("identity", "fetch", addr, "--add", "--json")
	var views []candidateView
	if err := json.Unmarshal([]byte(out), &views); err != nil || len(views) != 1 ||
		!views[0].Added {
		t.Fatalf("fetch --add --json got %q (%v), want one added identity", out, err)
	}
	if strings.Contains(errs, "warning") {
		t.Fatalf("fetch warned: %s", errs)
	}
	return views[0]
}

// checkClaimIn checks that a claim for u's mailbox sits at slot in zone.
func checkClaimIn(t *testing.T, n *nodetest.Node, u *user, slot int, zone string) {
	t.Helper()
	rid := mailboxID(t, u)
	r := &dnsio.Reader{Servers: []string{n.Addr}}
	owner := names.Claim(slot, rid[:], zone)
	vals, err := r.LookupTXT(context.Background(), owner)
	if err != nil || len(vals) != 1 {
		t.Fatalf("claims at %s: %q (%v), want one", owner, vals, err)
	}
}

// TestIdentityDomainRefused: an identity domain outside the mailbox zone
// is refused at init and, edited into config.yaml, at publish; inside the
// zone, a node with the default registration scope refuses dmp.<domain>
// and the error says the key's scope lacks it.
func TestIdentityDomainRefused(t *testing.T) {
	n := e2eNode(t)
	u := &user{t: t, name: "alice", home: filepath.Join(t.TempDir(), "alice"), node: n}
	_, errs, code := u.run("", "init", "alice", "--domain", e2eZone, "--identity-domain",
		"alice.example", "--dns-server", n.Addr)
	if code != exitUsage || !strings.Contains(errs, "outside the mailbox zone") ||
		!strings.Contains(errs, "hint: the identity domain must be") {
		t.Fatalf("init exited %d with %q, want a usage error with a hint", code, errs)
	}
	if _, err := config.Load(u.home); err == nil {
		t.Fatal("the refused init wrote a config")
	}

	u = newAnchoredUser(t, n, "alice")
	_, errs, code = u.run("", "identity", "publish")
	if code != exitNetwork || !strings.Contains(errs, "needs a scope the node's operator") {
		t.Fatalf("publish exited %d with %q, want the node's refusal explained", code, errs)
	}

	cfg, err := config.Load(u.home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.IdentityDomain = "alice.example"
	if err := config.Save(u.home, cfg); err != nil {
		t.Fatal(err)
	}
	_, errs, code = u.run("", "identity", "publish")
	if code != exitError || !strings.Contains(errs, "alice.example is not mesh.example") {
		t.Fatalf("publish exited %d with %q, want the identity domain refused", code, errs)
	}
}
