package main

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
)

// TestRecvSurvivesSIGKILL stops `recv` with SIGKILL at each named step of
// delivering a forward-secret message (client.Checkpoint*), at the first
// and the second message of a run, and checks after every kill that no
// message was lost (each is in the inbox, or undelivered with its prekey
// secret still held), none was stored or printed twice, and exactly the
// messages the kill point allows were stored and printed. A clean run
// then delivers the rest, and every used prekey is gone from state and
// from DNS.
func TestRecvSurvivesSIGKILL(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.ok("identity", "refresh-prekeys", "--count", "40")
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")

	k := &killRun{t: t, alice: alice, bob: bob, prekeyOf: map[string]uint32{},
		printed: map[string]int{}}
	for _, point := range []string{client.CheckpointOpened, client.CheckpointCommitted,
		client.CheckpointShown, client.CheckpointDNSDelete} {
		for hit := 1; hit <= 2; hit++ {
			k.round(point, hit)
		}
	}

	out, _ := bob.ok("recv") // a clean run finishes whatever is left
	k.count(out)
	inbox := bob.inboxCounts(t)
	published := publishedPrekeys(t, n, "bob")
	for body, id := range k.prekeyOf {
		if inbox[body] != 1 {
			t.Errorf("%q is %d times in the inbox, want once", body, inbox[body])
		}
		if k.printed[body] > 1 {
			t.Errorf("%q was printed %d times, want at most once", body, k.printed[body])
		}
		if bob.unconsumedPrekey(id) || published[id] {
			t.Errorf("prekey %d of %q still unconsumed or published after delivery", id, body)
		}
	}
	unshown := 0
	for body := range k.prekeyOf {
		if k.printed[body] == 0 {
			unshown++
		}
	}
	// Only a kill between the commit and the print leaves a message
	// stored but not printed: once per "committed" round.
	if unshown != 2 {
		t.Errorf("%d messages were never printed, want 2 (the committed-point kills)", unshown)
	}
	if d := bob.pendingDeletions(t); d != 0 {
		t.Errorf("%d prekey deletions still queued after a clean run, want 0", d)
	}
}

// killRun is the shared state of the kill rounds.
type killRun struct {
	t          *testing.T
	alice, bob *user
	prekeyOf   map[string]uint32 // body -> prekey it was sealed to
	printed    map[string]int    // body -> times recv printed it
	sent       int
}

// round sends two messages, kills recv at the hit-th pass of point, and
// checks what was stored, printed and kept.
func (k *killRun) round(point string, hit int) {
	t := k.t
	t.Helper()
	for range 2 {
		k.sent++
		body := fmt.Sprintf("message #%02d", k.sent)
		res, _ := k.alice.send(k.bob.addr(), body)
		if res.PrekeyID == 0 {
			t.Fatalf("%q went out without a prekey", body)
		}
		k.prekeyOf[body] = res.PrekeyID
	}
	before := k.bob.delivered(t)
	out, killed := k.bob.recvKilledAt(t, fmt.Sprintf("%s:%d", point, hit))
	if !killed {
		t.Fatalf("recv finished without reaching %s #%d; output:\n%s", point, hit, out)
	}
	shown := k.count(out)
	stored := k.bob.delivered(t) - before

	want := map[string][2]int{ // point -> stored, shown
		client.CheckpointOpened:    {hit - 1, hit - 1},
		client.CheckpointCommitted: {hit, hit - 1},
		client.CheckpointShown:     {hit, hit},
	}
	if w, ok := want[point]; ok && (stored != w[0] || shown != w[1]) {
		t.Errorf("killed at %s #%d: %d stored, %d printed; want %d and %d", point, hit,
			stored, shown, w[0], w[1])
	}
	if point != client.CheckpointOpened && k.bob.pendingDeletions(t) == 0 {
		t.Errorf("killed at %s #%d: no prekey deletion queued, want the owed one", point, hit)
	}
	k.bob.checkSecrets(t, k.prekeyOf)
}

// count adds the messages in recv output to printed and returns how many
// there were.
func (k *killRun) count(out string) int {
	n := 0
	for body := range k.prekeyOf {
		c := strings.Count(out, ":\n"+body+"\n")
		k.printed[body] += c
		n += c
	}
	return n
}

// recvKilledAt runs `recv` with the test hook that SIGKILLs it at spec
// ("point:n"); it returns what it printed and whether it died by SIGKILL.
func (u *user) recvKilledAt(t *testing.T, spec string) (string, bool) {
	t.Helper()
	c := u.cmd("", "recv")
	c.Env = append(c.Env, envKillAt+"="+spec)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	ws, ok := c.ProcessState.Sys().(syscall.WaitStatus)
	if err != nil && !(ok && ws.Signaled()) {
		t.Fatalf("recv with kill at %s: %v\nstderr:\n%s", spec, err, &errb)
	}
	return out.String(), ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// delivered counts the inbox.
func (u *user) delivered(t *testing.T) int {
	n := 0
	for _, c := range u.inboxCounts(t) {
		n += c
	}
	return n
}

// inboxCounts counts inbox messages by body.
func (u *user) inboxCounts(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	err := u.state().View(func(tx *state.Tx) error {
		ms, err := tx.Inbox()
		for _, m := range ms {
			counts[string(m.Body)]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// pendingDeletions counts the DNS deletions still queued in state.
func (u *user) pendingDeletions(t *testing.T) int {
	t.Helper()
	var ds []state.Deletion
	err := u.state().View(func(tx *state.Tx) error {
		var err error
		ds, err = tx.Deletions()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(ds)
}

// checkSecrets fails when a message is undelivered but its prekey
// secret is gone, or when a message is stored twice.
func (u *user) checkSecrets(t *testing.T, prekeyOf map[string]uint32) {
	t.Helper()
	inbox := u.inboxCounts(t)
	for body, id := range prekeyOf {
		if inbox[body] == 0 && !u.hasPrekeySecret(id) {
			t.Fatalf("prekey %d of undelivered %q was lost", id, body)
		}
		if inbox[body] > 1 {
			t.Fatalf("%q is %d times in the inbox", body, inbox[body])
		}
	}
}
