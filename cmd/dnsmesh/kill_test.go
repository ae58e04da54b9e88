package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
)

// TestRecvSurvivesSIGKILL kills `recv` at random points while it delivers
// a batch of forward-secret messages, then checks that every message was
// delivered exactly once, none was printed twice, and no prekey secret
// went missing while its message was still undelivered.
func TestRecvSurvivesSIGKILL(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.ok("identity", "refresh-prekeys", "--count", "25")
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")

	const count = 12
	prekeyOf := map[string]uint32{}
	for i := range count {
		body := fmt.Sprintf("message number %d", i)
		res, _ := alice.send(bob.addr(), body)
		if res.PrekeyID == 0 {
			t.Fatalf("message %d went out without a prekey", i)
		}
		prekeyOf[body] = res.PrekeyID
	}

	printed := map[string]int{}
	kills := 0
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	for round := 0; round < 40 && bob.delivered(t) < count; round++ {
		out, killed := bob.recvKilledAfter(t, time.Duration(rng.IntN(150))*time.Millisecond)
		if killed {
			kills++
		}
		for body := range prekeyOf {
			printed[body] += strings.Count(out, body+"\n")
		}
		bob.checkSecrets(t, prekeyOf)
	}
	t.Logf("%d recv runs killed, %d of %d delivered before the clean run", kills,
		bob.delivered(t), count)
	if kills == 0 {
		t.Fatal("no recv was killed; the test proved nothing")
	}
	out, _ := bob.ok("recv") // one clean run finishes whatever is left
	for body := range prekeyOf {
		printed[body] += strings.Count(out, body+"\n")
	}

	inbox := bob.inboxCounts(t)
	for body := range prekeyOf {
		if inbox[body] != 1 {
			t.Errorf("%q is %d times in the inbox, want once", body, inbox[body])
		}
		if printed[body] > 1 {
			t.Errorf("%q was printed %d times, want at most once", body, printed[body])
		}
		if bob.hasPrekeySecret(prekeyOf[body]) {
			t.Errorf("prekey of %q still held after delivery", body)
		}
	}
}

// recvKilledAfter starts `recv` and kills it with SIGKILL after d, or lets
// it finish first; it returns what it printed and whether it was killed.
func (u *user) recvKilledAfter(t *testing.T, d time.Duration) (string, bool) {
	t.Helper()
	c := u.cmd("", "recv")
	var out bytes.Buffer
	c.Stdout = &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-time.After(d):
		c.Process.Kill()
		<-done
		return out.String(), true
	case <-done:
		return out.String(), false
	}
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

// checkSecrets fails when a message is undelivered but its prekey
// secret is gone.
func (u *user) checkSecrets(t *testing.T, prekeyOf map[string]uint32) {
	t.Helper()
	inbox := u.inboxCounts(t)
	for body, id := range prekeyOf {
		if inbox[body] == 0 && !u.hasPrekeySecret(id) {
			t.Fatalf("prekey %d of undelivered %q was lost", id, body)
		}
	}
}
