package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
)

// TestRestoreDeletesOrphanPrekeys: after init --restore in a new config
// home, the prekeys the old home published have no secret anywhere. The
// restored home's first refresh-prekeys, or its first recv, deletes them
// from DNS, so the pool holds only prekeys whose secrets it holds, doctor
// passes, and a message sent after that is forward-secret and opens.
func TestRestoreDeletesOrphanPrekeys(t *testing.T) {
	for name, sweep := range map[string][]string{
		"refresh-prekeys": {"identity", "refresh-prekeys", "--count", "3"},
		"recv":            {"recv"},
	} {
		t.Run(name, func(t *testing.T) {
			n := e2eNode(t)
			alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
			old := alice.refreshPrekeys(5)
			restored := restoreUser(t, alice)
			checkOrphansReported(t, restored, len(old))

			_, errs := restored.ok(sweep...)
			if !strings.Contains(errs, "deleted 5 published prekey(s) whose secret is not "+
				"held here") {
				t.Fatalf("%v stderr %q, want the 5 orphans deleted", sweep, errs)
			}
			live := checkPoolHeld(t, restored)
			checkDoctor(t, restored, restoredDoctor(restored, live), "")
			checkSendAfterRestore(t, bob, restored)
		})
	}
}

// restoreUser restores u's identity in a new config home from the salt
// that `identity show` prints and u's passphrase, and registers a TSIG
// key for it again.
func restoreUser(t *testing.T, u *user) *user {
	t.Helper()
	out, _ := u.ok("identity", "show", "--json")
	var shown struct {
		Salt string `json:"kdf_salt"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Salt == "" {
		t.Fatalf("identity show --json %q: %v", out, err)
	}
	r := &user{t: t, name: u.name, home: filepath.Join(t.TempDir(), "restored"),
		node: u.node}
	r.ok("init", u.name, "--domain", e2eZone, "--dns-server", u.node.Addr,
		"--register-url", "http://"+u.node.HTTP, "--restore", "--salt", shown.Salt)
	r.ok("tsig", "register")
	return r
}

// checkOrphansReported fails unless doctor fails the prekeys check of the
// freshly restored u on its count of published prekeys without a secret.
func checkOrphansReported(t *testing.T, u *user, orphans int) {
	t.Helper()
	out, _, code := u.run("", "doctor", "--json")
	var checks []doctorJSON
	if err := json.Unmarshal([]byte(out), &checks); err != nil || code != 1 {
		t.Fatalf("doctor --json exited %d, printed %q (%v); want exit 1", code, out, err)
	}
	for _, c := range checks {
		if c.Name == "prekeys" && !c.OK && strings.Contains(c.Detail,
			"; "+strconv.Itoa(orphans)+" published prekey(s) have no secret here") {
			return
		}
	}
	t.Fatalf("doctor --json got %+v, want the prekeys check failed on %d orphans", checks,
		orphans)
}

// checkPoolHeld fails unless the prekeys published for u are exactly the
// unused ones whose secrets u's state holds, and returns their count.
func checkPoolHeld(t *testing.T, u *user) int {
	t.Helper()
	held := map[uint32]bool{}
	err := u.state().View(func(tx *state.Tx) error {
		ps, err := tx.Prekeys()
		for _, p := range ps {
			held[p.ID] = p.Consumed == 0 && !p.Pending
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	published := publishedPrekeys(t, u.node, u.name)
	got := slices.Sorted(maps.Keys(published))
	want := slices.Sorted(maps.Keys(held))
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Fatalf("published prekeys %v, want exactly the ones held %v", got, want)
	}
	for id, live := range held {
		if !live {
			t.Fatalf("prekey %d is held but used or pending", id)
		}
	}
	return len(got)
}

// restoredDoctor is what every doctor check of the restored u says once
// live prekeys are published and held.
func restoredDoctor(u *user, live int) map[string]string {
	return doctorDetails(u, strconv.Itoa(live)+" live (published in DNS, secret held here)",
		"node clock within ")
}

// checkSendAfterRestore: once from and the restored to pinned each
// other, a message from one to the other uses a prekey whose secret to
// holds, and opens.
func checkSendAfterRestore(t *testing.T, from, to *user) {
	t.Helper()
	from.ok("identity", "fetch", to.addr(), "--add")
	to.ok("identity", "fetch", from.addr(), "--add")
	res, errs := from.send(to.addr(), "hello after your restore")
	if res.PrekeyID == 0 || strings.Contains(errs, "not forward-secret") ||
		!to.hasPrekeySecret(res.PrekeyID) {
		t.Fatalf("send used prekey %d (held by %s: %v); stderr %q; want a held prekey",
			res.PrekeyID, to.name, to.hasPrekeySecret(res.PrekeyID), errs)
	}
	out, errs := to.ok("recv")
	if !strings.Contains(out, "from "+from.addr()) ||
		!strings.Contains(out, "hello after your restore") || strings.Contains(errs,
		"could not be opened") {
		t.Fatalf("recv got stdout %q stderr %q, want the message opened", out, errs)
	}
}
