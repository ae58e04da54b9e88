package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
	k.checkDelivered()
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
}

// checkDelivered fails unless, after a clean recv, every message sent is
// in the inbox once and was printed at most once, and every used prekey is
// consumed and gone from DNS with no deletion still queued.
func (k *killRun) checkDelivered() {
	t := k.t
	t.Helper()
	inbox := k.bob.inboxCounts(t)
	published := publishedPrekeys(t, k.bob.node, k.bob.name)
	for body, id := range k.prekeyOf {
		if inbox[body] != 1 {
			t.Errorf("%q is %d times in the inbox, want once", body, inbox[body])
		}
		if k.printed[body] > 1 {
			t.Errorf("%q was printed %d times, want at most once", body, k.printed[body])
		}
		if k.bob.unconsumedPrekey(id) || published[id] {
			t.Errorf("prekey %d of %q still unconsumed or published after delivery", id, body)
		}
	}
	if d := k.bob.pendingDeletions(t); d != 0 {
		t.Errorf("%d prekey deletions still queued after a clean run, want 0", d)
	}
	k.checkInboxCommand()
}

// checkInboxCommand fails unless `dnsmesh inbox --json` lists every
// message sent once, from alice, and nothing else: a message stored by a
// recv killed before it printed must be there.
func (k *killRun) checkInboxCommand() {
	t := k.t
	t.Helper()
	out, _ := k.bob.ok("inbox", "--json")
	ms := parseMessages(t, out)
	listed := map[string]int{}
	for _, m := range ms {
		listed[m.Body]++
		if m.From != k.alice.addr() || k.prekeyOf[m.Body] == 0 {
			t.Errorf("inbox lists %q from %s, not a message alice sent", m.Body, m.From)
		}
	}
	for body := range k.prekeyOf {
		if listed[body] != 1 {
			t.Errorf("inbox lists %q %d times, want once", body, listed[body])
		}
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
	k.sendSome(2)
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

// sendSome sends n forward-secret messages from alice to bob and returns
// their bodies.
func (k *killRun) sendSome(n int) []string {
	k.t.Helper()
	var bodies []string
	for range n {
		k.sent++
		body := fmt.Sprintf("message #%02d", k.sent)
		res, _ := k.alice.send(k.bob.addr(), body)
		if res.PrekeyID == 0 {
			k.t.Fatalf("%q went out without a prekey", body)
		}
		k.prekeyOf[body] = res.PrekeyID
		bodies = append(bodies, body)
	}
	return bodies
}

// count adds the messages in recv output to printed and returns how many
// there were.
func (k *killRun) count(out string) int {
	n := 0
	for body := range k.prekeyOf {
		c := timesPrinted(out, body)
		k.printed[body] += c
		n += c
	}
	return n
}

// timesPrinted counts how often recv output out shows the one-line body
// as a message: after its header line, indented.
func timesPrinted(out, body string) int {
	return strings.Count(out, ":\n  "+body+"\n")
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
	return out.String(), killedBySIGKILL(t, c, err, "kill at "+spec, &errb)
}

// recvKilledAfter starts `recv` and sends it SIGKILL after d; it returns
// what recv printed and whether the signal ended it (false when recv
// finished first).
func (u *user) recvKilledAfter(t *testing.T, d time.Duration) (string, bool) {
	t.Helper()
	c := u.cmd("", "recv")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		t.Fatalf("start recv: %v", err)
	}
	time.Sleep(d)
	c.Process.Kill() // fails only when recv is already gone: Wait tells
	err := c.Wait()
	return out.String(), killedBySIGKILL(t, c, err, fmt.Sprintf("kill after %v", d), &errb)
}

// killedBySIGKILL reports whether the finished recv c died of SIGKILL; it
// fails the test when recv failed in any other way.
func killedBySIGKILL(t *testing.T, c *exec.Cmd, err error, what string,
	stderr fmt.Stringer) bool {
	t.Helper()
	ws, ok := c.ProcessState.Sys().(syscall.WaitStatus)
	if err != nil && !(ok && ws.Signaled()) {
		t.Fatalf("recv with %s: %v\nstderr:\n%s", what, err, stderr)
	}
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
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

// envKillSeed sets the seed of TestRecvSIGKILLAtRandom, to repeat a run.
const envKillSeed = "DNSMESH_TEST_KILL_SEED"

// randomKillRounds is the least number of rounds of the random kill
// test; it goes on past them, within randomKillBudget, until a kill has
// landed after recv stored a message. Each round costs a send and two
// recv processes, well under a second, so the test stays under a minute.
const (
	randomKillRounds = 12
	randomKillBudget = 45 * time.Second
)

// Where a random kill landed, as randomRound classifies a round.
const (
	landedAfterEnd    = "recv finished first"
	landedBeforeStore = "killed before storing a message"
	landedMidDelivery = "killed after storing a message, before printing all"
	landedAfterShown  = "killed after printing every message, before recv ended"
)

// killCovered reports whether some round was killed after recv stored a
// message and before it ended: the kills the test exists for. Rounds
// that all finish first, or are all killed before storing, test nothing.
func killCovered(landed map[string]int) bool {
	return landed[landedMidDelivery]+landed[landedAfterShown] > 0
}

// TestRecvSIGKILLAtRandom is the loop of issue #6: each round sends one
// or two messages, starts `recv`, SIGKILLs it after a random delay up to
// the time one whole recv took, then runs recv to completion. After each
// kill, no undelivered message has lost its prekey secret and none is
// stored twice; a message is printed only once stored, one stored but
// not printed was stored by a recv that the kill stopped, and the next
// recv prints exactly the messages the killed one did not store. At the
// end every message is in the inbox once and none was printed twice.
// Rounds go on past randomKillRounds until one kill landed after a
// message was stored and before recv ended; a budget that ends first
// fails the test, which would otherwise have checked nothing.
//
// The seed is logged; DNSMESH_TEST_KILL_SEED=<seed> repeats the delays
// (where they land in recv still depends on timing).
func TestRecvSIGKILLAtRandom(t *testing.T) {
	seed := killSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.refreshPrekeys(30)
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")
	k := &killRun{t: t, alice: alice, bob: bob, prekeyOf: map[string]uint32{},
		printed: map[string]int{}}

	span := k.timedRecv()
	start, landed := time.Now(), map[string]int{}
	round := 0
	for ; round < randomKillRounds || !killCovered(landed); round++ {
		if time.Since(start) > randomKillBudget {
			t.Logf("stopped after %d rounds: over the %v budget", round, randomKillBudget)
			break
		}
		landed[k.randomRound(rng, span)]++
	}
	t.Logf("one recv took %v; %d rounds by where the kill landed: %v", span, round, landed)
	if !killCovered(landed) {
		t.Fatalf("in %d rounds no kill landed after a message was stored and before recv "+
			"ended (%v); repeat with %s=%d", round, landed, envKillSeed, seed)
	}
	k.checkDelivered()
}

// killSeed returns the seed from DNSMESH_TEST_KILL_SEED, or a new one,
// and logs it.
func killSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envKillSeed); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", envKillSeed, v, err)
		}
	}
	t.Logf("seed %d; repeat with %s=%d", seed, envKillSeed, seed)
	return seed
}

// timedRecv delivers one message with a whole recv and returns how long
// that recv took, the span the random kills are drawn from.
func (k *killRun) timedRecv() time.Duration {
	t := k.t
	t.Helper()
	body := k.sendSome(1)[0]
	start := time.Now()
	out, _ := k.bob.ok("recv")
	span := time.Since(start)
	if k.count(out) != 1 || k.printed[body] != 1 {
		t.Fatalf("recv printed %q, want %q once", out, body)
	}
	return span
}

// randomRound sends one or two messages, kills a recv after a random
// delay in [0, span], checks what it left, finishes with a whole recv and
// checks that. It returns where the kill landed (landedAt).
func (k *killRun) randomRound(rng *rand.Rand, span time.Duration) string {
	t := k.t
	t.Helper()
	bodies := k.sendSome(1 + rng.IntN(2))
	delay := time.Duration(rng.Int64N(int64(span) + 1))
	killedOut, killed := k.bob.recvKilledAfter(t, delay)
	k.count(killedOut)
	k.bob.checkSecrets(t, k.prekeyOf)
	stored := k.bob.inboxCounts(t)

	out, _ := k.bob.ok("recv")
	k.count(out)
	storedN, shownN := 0, 0
	for _, body := range bodies {
		shown := timesPrinted(killedOut, body)
		storedN, shownN = storedN+stored[body], shownN+shown
		k.checkAfterKill(body, stored[body], shown, killed)
		if again := timesPrinted(out, body); again != 1-stored[body] {
			t.Errorf("after a kill (delay %v) that stored %q %d times, the next recv "+
				"printed it %d times; want %d", delay, body, stored[body], again,
				1-stored[body])
		}
	}
	return landedAt(killed, storedN, shownN, len(bodies))
}

// landedAt classifies a round: whether recv was killed, and how many of
// the round's sent messages it had stored and shown by then.
func landedAt(killed bool, stored, shown, sent int) string {
	switch {
	case !killed:
		return landedAfterEnd
	case stored == 0:
		return landedBeforeStore
	case shown < sent:
		return landedMidDelivery
	default:
		return landedAfterShown
	}
}

// checkAfterKill checks one message after a recv that may have been
// killed: printed only once stored, and stored but not printed only when
// the kill stopped recv between the two.
func (k *killRun) checkAfterKill(body string, stored, shown int, killed bool) {
	t := k.t
	t.Helper()
	switch {
	case shown > 0 && stored == 0:
		t.Errorf("%q was printed but is not in the inbox", body)
	case stored == 1 && shown == 0 && !killed:
		t.Errorf("%q was stored but not printed by a recv that finished", body)
	}
}
