package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/state"
)

// redisWrites turns the node's Redis read-only (min-replicas-to-write 1
// with no replica: every write fails, reads go on) or writable again.
func redisWrites(t *testing.T, r *redistest.Server, on bool) {
	t.Helper()
	cli := nodetest.NeedTool(t, "redis-cli")
	host, port, _ := strings.Cut(r.Addr(), ":")
	n := "1"
	if on {
		n = "0"
	}
	out, err := exec.Command(cli, "-h", host, "-p", port, "CONFIG", "SET",
		"min-replicas-to-write", n).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("redis-cli CONFIG SET: %v: %s", err, out)
	}
}

// TestOwedPrekeyDeleteRetried: when the node's store refuses writes as
// recv deletes a used prekey, recv still prints the message but warns,
// the delete stays owed and every later recv retries it until the store
// is back (issue #6 P2).
func TestOwedPrekeyDeleteRetried(t *testing.T) {
	n, r := startE2ENode(t, nil)
	dave, alice := newE2EUser(t, n, "dave"), newE2EUser(t, n, "alice")
	dave.ok("identity", "refresh-prekeys", "--count", "12")
	alice.ok("identity", "fetch", dave.addr(), "--add")
	dave.ok("identity", "fetch", alice.addr(), "--add")
	res, _ := alice.send(dave.addr(), "while the store is down")

	redisWrites(t, r, false)
	for round := range 2 {
		out, errs := dave.ok("recv")
		if round == 0 && !strings.Contains(out, "while the store is down") {
			t.Fatalf("recv got %q, want the message", out)
		}
		if !strings.Contains(errs, "delete used prekey") ||
			!strings.Contains(errs, "stays published") {
			t.Fatalf("recv %d stderr %q, want a warning that the delete failed", round, errs)
		}
		if got := dave.pendingDeletions(t); got != 1 {
			t.Fatalf("recv %d: %d deletions owed, want 1", round, got)
		}
		if !publishedPrekeys(t, n, "dave")[res.PrekeyID] {
			t.Fatalf("recv %d: prekey gone from DNS while writes fail", round)
		}
	}

	redisWrites(t, r, true)
	if _, errs := dave.ok("recv"); strings.Contains(errs, "delete used prekey") {
		t.Fatalf("recv after recovery stderr %q, want no delete warning", errs)
	}
	if got := dave.pendingDeletions(t); got != 0 {
		t.Fatalf("%d deletions owed after recovery, want 0", got)
	}
	if publishedPrekeys(t, n, "dave")[res.PrekeyID] {
		t.Fatal("used prekey still published after the retried delete")
	}
	dave.state().View(func(tx *state.Tx) error {
		if p, err := tx.Prekey(res.PrekeyID); err != nil || p.Deleted == 0 {
			t.Errorf("prekey got %+v, %v; want its delete confirmed", p, err)
		}
		return nil
	})
}
