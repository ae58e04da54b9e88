package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
)

// TestUsedPrekeySecretErased shows that the used prekey's secret really
// leaves local state, not only its record leaves DNS. After the message
// is received and the delete of its record confirmed, the secret is kept
// for the grace window (pkg/client consume.go, DECISIONS C11); the test
// then moves the prekey's consumed and deleted stamps back past that
// window in bob's state.db, and the next recv must erase the secret while
// the unused prekeys' secrets stay. The binary's clock is never touched.
func TestUsedPrekeySecretErased(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	pool := bob.refreshPrekeys(5)
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")

	res, _ := alice.send(bob.addr(), "forward-secret hello")
	if out, _ := bob.ok("recv"); !strings.Contains(out, "forward-secret hello") {
		t.Fatalf("bob's recv got %q, want alice's message", out)
	}
	checkPrekeysPublished(t, bob, pool, res.PrekeyID)
	used := bob.prekey(res.PrekeyID)
	if used.Consumed == 0 || used.Deleted == 0 || bob.pendingDeletions(t) != 0 {
		t.Fatalf("used prekey %+v: want it consumed, its delete confirmed and none queued",
			used)
	}

	// Within the grace window a recv keeps the secret.
	bob.ok("recv")
	if !bob.hasPrekeySecret(res.PrekeyID) {
		t.Fatal("the used prekey's secret was erased inside its grace window")
	}

	window := client.PrekeyGraceMargin + client.MaxMessageTTL
	bob.backdatePrekey(res.PrekeyID, window+time.Hour)
	if out, _ := bob.ok("recv"); out != "" {
		t.Fatalf("recv after the window got %q, want nothing", out)
	}
	if bob.hasPrekeySecret(res.PrekeyID) {
		t.Errorf("prekey %d's secret is still in state.db after its grace window",
			res.PrekeyID)
	}
	for _, id := range pool {
		if id != res.PrekeyID && !bob.unconsumedPrekey(id) {
			t.Errorf("unused prekey %d lost its secret with the used one's", id)
		}
	}
}

// prekey returns the state record of prekey id; a missing one fails.
func (u *user) prekey(id uint32) state.Prekey {
	u.t.Helper()
	var p state.Prekey
	err := u.state().View(func(tx *state.Tx) error {
		var err error
		p, err = tx.Prekey(id)
		return err
	})
	if err != nil {
		u.t.Fatalf("prekey %d of %s: %v", id, u.name, err)
	}
	return p
}

// backdatePrekey moves the consumed and deleted stamps of prekey id back
// by d in the user's state.db, as if that much time had passed since.
func (u *user) backdatePrekey(id uint32, d time.Duration) {
	u.t.Helper()
	err := u.state().Update(func(tx *state.Tx) error {
		p, err := tx.Prekey(id)
		if err != nil {
			return err
		}
		p.Consumed -= int64(d / time.Second)
		p.Deleted -= int64(d / time.Second)
		return tx.PutPrekey(p)
	})
	if err != nil {
		u.t.Fatalf("backdate prekey %d of %s: %v", id, u.name, err)
	}
}
