package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/names"
)

func TestCheckIdentityDomain(t *testing.T) {
	for _, tc := range []struct {
		identity string
		ok       bool
	}{
		{"", true},
		{"mesh.example", true},
		{"Mesh.Example.", true},
		{"alice.mesh.example", true},
		{"a.b.mesh.example", true},
		{"alice.example", false},
		{"evilmesh.example", false},
		{"example", false},
	} {
		err := CheckIdentityDomain("mesh.example", tc.identity)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrIdentityDomain) {
			t.Errorf("CheckIdentityDomain(%q) = %v, want ok=%v", tc.identity, err, tc.ok)
		}
	}
}

// TestFetchAnchoredMailbox: a zone-anchored identity's mailbox is the
// nearest parent of its identity domain holding the same keys' hashed
// record; without one, the host is assumed and MailboxFound is false.
func TestFetchAnchoredMailbox(t *testing.T) {
	ctx := context.Background()
	dns := &memDNS{data: map[string][]string{}}
	alice, bob := newUser(t, dns, "alice"), newUser(t, dns, "bob")
	alice.Cfg.IdentityDomain = "alice.home.mesh.example"
	if _, err := alice.PublishIdentity(ctx, time.Hour, false); err != nil {
		t.Fatal(err)
	}

	user, host, cands, err := bob.FetchIdentity(ctx, "alice@alice.home.mesh.example")
	if err != nil || len(cands) != 1 {
		t.Fatalf("fetch got %v, %v", cands, err)
	}
	if c := cands[0]; c.Mailbox != "mesh.example" || !c.MailboxFound ||
		c.Owner != "dmp.alice.home.mesh.example" {
		t.Fatalf("candidate %+v, want mailbox mesh.example found via the anchored owner", c)
	}
	ct, err := bob.AddContact(user, host, &cands[0])
	if err != nil || ct.Domain != "mesh.example" || ct.Name != "alice@alice.home.mesh.example" {
		t.Fatalf("contact %+v (%v), want mailbox mesh.example under the anchored name", ct, err)
	}

	// Without the hashed record, nothing names the mailbox.
	delete(dns.data, names.IdentityHashed("alice", "mesh.example"))
	_, _, cands, err = bob.FetchIdentity(ctx, "alice@alice.home.mesh.example")
	if err != nil || len(cands) != 1 || cands[0].MailboxFound ||
		cands[0].Mailbox != "alice.home.mesh.example" {
		t.Fatalf("fetch got %+v (%v), want the host assumed and MailboxFound false", cands, err)
	}
}

func TestPublishRefusesForeignIdentityDomain(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	alice := newUser(t, dns, "alice")
	alice.Cfg.IdentityDomain = "alice.example"
	_, err := alice.PublishIdentity(context.Background(), time.Hour, false)
	if !errors.Is(err, ErrIdentityDomain) || len(dns.data) != 0 {
		t.Fatalf("publish got %v with %d names written, want ErrIdentityDomain, none", err,
			len(dns.data))
	}
}
