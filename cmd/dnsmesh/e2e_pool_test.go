package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
)

// TestRecvWithoutTSIGEndToEnd: recv before 'tsig register' makes no
// prekeys it cannot publish and says to register, once; doctor then finds
// no live prekeys instead of counting unpublished secrets. After
// registering, recv publishes a full pool and doctor counts it.
func TestRecvWithoutTSIGEndToEnd(t *testing.T) {
	n := e2eNode(t)
	u, _ := initUser(t, n, "nokey")

	_, errs := u.ok("recv")
	if strings.Count(errs, "run 'dnsmesh tsig register'") != 1 ||
		strings.Contains(errs, "published") {
		t.Fatalf("recv without a TSIG key: stderr %q, want one warning naming "+
			"'dnsmesh tsig register' and nothing published", errs)
	}
	if held := u.heldPrekeys(); held != 0 {
		t.Fatalf("recv without a TSIG key left %d prekey secrets, want none", held)
	}
	doctorPrekeys := func() doctorJSON {
		out, _, _ := u.run("", "doctor", "--json")
		var checks []doctorJSON
		if err := json.Unmarshal([]byte(out), &checks); err != nil {
			t.Fatalf("doctor --json %q: %v", out, err)
		}
		for _, c := range checks {
			if c.Name == "prekeys" {
				return c
			}
		}
		t.Fatalf("doctor --json %q has no prekeys check", out)
		return doctorJSON{}
	}
	if c := doctorPrekeys(); c.OK || !strings.HasPrefix(c.Detail, "0 live") {
		t.Fatalf("doctor prekeys before registering: %+v, want a failure with 0 live", c)
	}

	u.ok("tsig", "register")
	if _, errs := u.ok("recv"); !strings.Contains(errs, "published 25 new prekeys") {
		t.Fatalf("recv after registering: stderr %q, want 25 prekeys published", errs)
	}
	if got := len(publishedPrekeys(t, n, u.name)); got != 25 {
		t.Fatalf("%d prekeys in DNS after the top-up, want 25", got)
	}
	if c := doctorPrekeys(); !c.OK || !strings.HasPrefix(c.Detail, "25 live") {
		t.Fatalf("doctor prekeys after registering: %+v, want ok with 25 live", c)
	}
}

// TestDoctorAfterRestoreEndToEnd: after 'init --restore' the prekeys the
// old state published have no secret here. recv deletes them (see
// e2e_restore_prekeys_test.go, which also checks doctor fails on them
// before) and tops the pool up with new ones; doctor counts those as live
// and passes.
func TestDoctorAfterRestoreEndToEnd(t *testing.T) {
	n := e2eNode(t)
	alice := newE2EUser(t, n, "alice")
	alice.refreshPrekeys(5)
	restored := restoreUser(t, alice)
	restored.ok("recv")
	if got := len(publishedPrekeys(t, n, "alice")); got != 25 {
		t.Fatalf("%d prekeys in DNS after the restored top-up, want the 25 new only", got)
	}

	out, errs, code := restored.run("", "doctor")
	want := "ok    prekeys       25 live (published in DNS, secret held here)\n"
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("doctor after restore: exit %d, stdout %q, stderr %q; want exit 0 and %q",
			code, out, errs, want)
	}
}

// heldPrekeys counts the prekey secrets in u's state.
func (u *user) heldPrekeys() int {
	u.t.Helper()
	n := 0
	if err := u.state().View(func(tx *state.Tx) error {
		ps, err := tx.Prekeys()
		n = len(ps)
		return err
	}); err != nil {
		u.t.Fatal(err)
	}
	return n
}
