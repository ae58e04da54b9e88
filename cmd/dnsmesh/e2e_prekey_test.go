package main

import (
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
)

// TestSharedPrekeyEndToEnd is the fresh-clone repro of issue #6 P1 on a
// real node: dave publishes one prekey, alice and carol both seal to it,
// and dave's recv must print both. A message whose prekey secret dave
// does not hold is reported on stderr with its sender, not dropped.
func TestSharedPrekeyEndToEnd(t *testing.T) {
	n := e2eNode(t)
	dave := newE2EUser(t, n, "dave")
	alice, carol := newE2EUser(t, n, "alice"), newE2EUser(t, n, "carol")
	dave.ok("identity", "refresh-prekeys", "--count", "1")
	for _, u := range []*user{alice, carol} {
		u.ok("identity", "fetch", dave.addr(), "--add")
		dave.ok("identity", "fetch", u.addr(), "--add")
	}
	ra, _ := alice.send(dave.addr(), "alice to dave")
	rc, _ := carol.send(dave.addr(), "carol to dave")
	if ra.PrekeyID == 0 || ra.PrekeyID != rc.PrekeyID {
		t.Fatalf("prekeys got %d and %d, want the same one", ra.PrekeyID, rc.PrekeyID)
	}
	out, errs := dave.ok("recv")
	if !strings.Contains(out, "alice to dave") || !strings.Contains(out, "carol to dave") {
		t.Fatalf("recv got stdout %q stderr %q, want both messages", out, errs)
	}
	if strings.Contains(errs, "could not be opened") {
		t.Fatalf("recv stderr %q, want no unopened message", errs)
	}
	if dave.unconsumedPrekey(ra.PrekeyID) || publishedPrekeys(t, n, "dave")[ra.PrekeyID] {
		t.Fatal("the shared prekey is not consumed, or still published")
	}

	// A prekey secret dave lost: the message is reported, every poll.
	re, _ := alice.send(dave.addr(), "sealed to a lost prekey")
	if re.PrekeyID == 0 {
		t.Fatal("send used no prekey after dave's top-up")
	}
	if err := dave.state().Update(func(tx *state.Tx) error {
		return tx.DeletePrekey(re.PrekeyID)
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		out, errs = dave.ok("recv")
		if out != "" || strings.Count(errs, "could not be opened") != 1 ||
			!strings.Contains(errs, "a message from alice@mesh.example") ||
			!strings.Contains(errs, "prekey's secret is not held") {
			t.Fatalf("recv got stdout %q stderr %q, want one warning naming alice "+
				"and the missing prekey", out, errs)
		}
	}
}
