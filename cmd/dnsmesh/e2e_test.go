package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

const e2eZone = "mesh.example"

// e2eCorefile serves e2eZone from Redis with registration open to
// loopback clients and no registration rate limit.
const e2eCorefile = `mesh.example:{{PORT}} {
    bind 127.0.0.1
    dmp {
        redis standalone redis://REDIS
        registration 127.0.0.1:{{HTTP}} node.mesh.example
        registration_rate 0 1h
        claims on
    }
}
`

// e2eNode starts Redis and a coredns-dmp node on it.
func e2eNode(t *testing.T) *nodetest.Node {
	t.Helper()
	n, _ := startE2ENode(t, nil)
	return n
}

// startE2ENode starts Redis and a coredns-dmp node on it serving
// e2eCorefile, changed by edit unless edit is nil, and returns both. An
// edit that leaves the Corefile as it was fails the test, which would
// otherwise run without the setting it is about. In -short mode the test
// is skipped.
func startE2ENode(t *testing.T,
	edit func(corefile string) string) (*nodetest.Node, *redistest.Server) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	corefile := e2eCorefile
	if edit != nil {
		if corefile = edit(e2eCorefile); corefile == e2eCorefile {
			t.Fatalf("the edit left e2eCorefile unchanged:\n%s", corefile)
		}
	}
	r := redistest.Start(t)
	return nodetest.Start(t, strings.ReplaceAll(corefile, "REDIS", r.Addr())), r
}

// user is one dnsmesh identity with its own config home.
type user struct {
	t    *testing.T
	name string
	home string
	node *nodetest.Node
}

func newE2EUser(t *testing.T, n *nodetest.Node, name string) *user {
	u, _ := initUser(t, n, name)
	u.ok("tsig", "register")
	u.ok("identity", "publish", "--advertise-v2")
	return u
}

// initUser runs `dnsmesh init name` in a new config home, with the
// mailbox zone e2eZone, then extra flags, then node n as the DNS server
// and registration URL. It returns the user and what init printed; no key
// is registered yet.
func initUser(t *testing.T, n *nodetest.Node, name string, extra ...string) (*user, string) {
	t.Helper()
	u := &user{t: t, name: name, home: filepath.Join(t.TempDir(), name), node: n}
	args := append([]string{"init", name, "--domain", e2eZone}, extra...)
	out, _ := u.ok(append(args, "--dns-server", n.Addr, "--register-url", "http://"+n.HTTP)...)
	return u, out
}

// cmd returns the dnsmesh process for args, run as this user.
func (u *user) cmd(stdin string, args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), envAsMain+"=1", "DMP_CONFIG_HOME="+u.home,
		"DMP_PASSPHRASE=pass of "+u.name)
	c.Stdin = strings.NewReader(stdin)
	return c
}

// run runs dnsmesh and returns stdout, stderr and the exit code.
func (u *user) run(stdin string, args ...string) (string, string, int) {
	u.t.Helper()
	c := u.cmd(stdin, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		u.t.Fatalf("%s: dnsmesh %v: %v", u.name, args, err)
	}
	return out.String(), errb.String(), code
}

// ok runs dnsmesh and fails the test unless it exits 0.
func (u *user) ok(args ...string) (string, string) {
	u.t.Helper()
	out, errs, code := u.run("", args...)
	if code != 0 {
		u.t.Fatalf("%s: dnsmesh %v exited %d\nstdout:\n%s\nstderr:\n%s\nnode:\n%s", u.name,
			args, code, out, errs, u.node.Output())
	}
	return out, errs
}

// send sends body and returns the send result.
func (u *user) send(to, body string) (client.SendResult, string) {
	u.t.Helper()
	out, errs, code := u.run(body, "send", to, "-", "--json")
	if code != 0 {
		u.t.Fatalf("%s: send exited %d: %s", u.name, code, errs)
	}
	return decodeSend(u.t, out), errs
}

// decodeSend decodes the output of `send --json`, failing the test when it
// is not a send result.
func decodeSend(t *testing.T, out string) client.SendResult {
	t.Helper()
	var res client.SendResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("send output %q: %v", out, err)
	}
	return res
}

func (u *user) addr() string { return u.name + "@" + e2eZone }

// state returns the user's state file.
func (u *user) state() *state.DB { return state.Open(config.StatePath(u.home)) }

// hasPrekeySecret reports whether the user still holds prekey id.
func (u *user) hasPrekeySecret(id uint32) bool {
	held := false
	if err := u.state().View(func(tx *state.Tx) error {
		held = tx.HasPrekey(id)
		return nil
	}); err != nil {
		u.t.Fatal(err)
	}
	return held
}

// unconsumedPrekey reports whether the user holds prekey id's secret and
// has not marked it consumed. A consumed secret is kept for a grace window
// (pkg/client consume.go), so the secret alone says nothing.
func (u *user) unconsumedPrekey(id uint32) bool {
	unused := false
	if err := u.state().View(func(tx *state.Tx) error {
		p, err := tx.Prekey(id)
		unused = err == nil && p.Consumed == 0
		return nil
	}); err != nil {
		u.t.Fatal(err)
	}
	return unused
}

// publishedPrekeys returns the prekey ids published for username. A value
// that is not a prekey record fails the test: skipping it would let "the
// used prekey is gone" pass on a pool the test cannot read.
func publishedPrekeys(t *testing.T, n *nodetest.Node, username string) map[uint32]bool {
	t.Helper()
	r := &dnsio.Reader{Servers: []string{n.Addr}}
	vals, err := r.LookupTXT(context.Background(), names.PrekeyPool(username, e2eZone))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uint32]bool{}
	for _, v := range vals {
		p, err := records.ParsePrekeyUnverified(v, timeNow())
		if err != nil {
			t.Fatalf("prekey pool of %s holds %q: %v", username, v, err)
		}
		ids[p.ID] = true
	}
	return ids
}

// refreshPrekeys publishes count prekeys for u with `identity
// refresh-prekeys --json` and returns their ids.
func (u *user) refreshPrekeys(count int) []uint32 {
	u.t.Helper()
	out, _ := u.ok("identity", "refresh-prekeys", "--count", strconv.Itoa(count), "--json")
	var res struct {
		Published []uint32 `json:"published"`
		Live      int      `json:"live"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		u.t.Fatalf("refresh-prekeys --json output %q: %v", out, err)
	}
	if len(res.Published) != count || res.Live < count {
		u.t.Fatalf("refresh-prekeys --json got %+v, want %d new ids and as many live",
			res, count)
	}
	return res.Published
}

// checkPrekeysPublished fails unless every id in ids but used is published
// for u: deleting the used prekey must leave the rest of the pool alone.
func checkPrekeysPublished(t *testing.T, u *user, ids []uint32, used uint32) {
	t.Helper()
	published := publishedPrekeys(t, u.node, u.name)
	if published[used] {
		t.Errorf("used prekey %d still published", used)
	}
	for _, id := range ids {
		if id != used && !published[id] {
			t.Errorf("unused prekey %d of %s is no longer published", id, u.name)
		}
	}
}

func TestEndToEnd(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	alice.refreshPrekeys(5)
	bobPrekeys := bob.refreshPrekeys(5)
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")
	checkFetchJSON(t, alice, bob.addr())

	// A forward-secret message, received exactly once.
	res, errs := alice.send(bob.addr(), "hello bob")
	if res.PrekeyID == 0 || strings.Contains(errs, "not forward-secret") {
		t.Fatalf("send used no prekey; stderr: %s", errs)
	}
	if !bob.hasPrekeySecret(res.PrekeyID) {
		t.Fatal("bob lacks the secret of the prekey alice used")
	}
	out, _ := bob.ok("recv")
	if !strings.Contains(out, "from alice@mesh.example") || !strings.Contains(out, "hello bob") {
		t.Fatalf("bob's recv got %q, want alice's message", out)
	}
	if out, _ := bob.ok("recv"); out != "" {
		t.Fatalf("second recv got %q, want nothing", out)
	}
	if bob.unconsumedPrekey(res.PrekeyID) {
		t.Error("used prekey not marked consumed in bob's state")
	}
	checkPrekeysPublished(t, bob, bobPrekeys, res.PrekeyID)

	// A message longer than one chunk, and a reply the other way.
	long := strings.Repeat("a longer message. ", 80)
	if res, _ := alice.send(bob.addr(), long); res.Chunks < 2 {
		t.Fatalf("long message went out in %d chunks, want several", res.Chunks)
	}
	if out, _ := bob.ok("recv"); !strings.Contains(out, long) {
		t.Fatalf("bob's recv got %q, want the long message", out)
	}
	bob.send(alice.addr(), "hi alice")
	if out, _ := alice.ok("recv"); !strings.Contains(out, "from bob@mesh.example") ||
		!strings.Contains(out, "hi alice") {
		t.Fatalf("alice's recv got %q, want bob's reply", out)
	}
	checkRecvJSON(t, alice, bob, "hello again, as JSON")
	delivered := []wantMsg{{alice.addr(), "hello bob"}, {alice.addr(), long},
		{alice.addr(), "hello again, as JSON"}}
	checkInbox(t, bob, delivered)

	// An unpinned sender lands in the intro queue, not the inbox.
	carol := newE2EUser(t, n, "carol")
	carol.ok("identity", "fetch", bob.addr(), "--add")
	carol.send(bob.addr(), "hi bob, carol here")
	out, errs = bob.ok("recv")
	if strings.Contains(out, "carol") || !strings.Contains(errs, "intro list") {
		t.Fatalf("recv got stdout %q stderr %q, want only an intro note", out, errs)
	}
	if out, _ := bob.ok("intro", "list"); !strings.Contains(out, "hi bob, carol here") ||
		!strings.Contains(out, "carol@mesh.example") {
		t.Fatalf("intro list got %q, want carol's verified message", out)
	}
	checkInbox(t, bob, delivered) // and nothing from carol

	// Carol published no prekeys: a send to her warns on stderr.
	bob.ok("identity", "fetch", carol.addr(), "--add")
	if _, errs := bob.send(carol.addr(), "no prekey"); !strings.Contains(errs,
		"not forward-secret") {
		t.Fatalf("send stderr %q, want the no-forward-secrecy warning", errs)
	}
	if out, _ := carol.ok("recv"); !strings.Contains(out, "no prekey") {
		t.Fatalf("carol's recv got %q, want bob's message", out)
	}
	if out, _ := carol.ok("recv"); out != "" {
		t.Fatalf("carol's second recv got %q, want nothing (replay cache)", out)
	}
}

// checkFetchJSON checks `identity fetch --json` for an identity published
// with --advertise-v2.
func checkFetchJSON(t *testing.T, u *user, addr string) {
	t.Helper()
	out, _ := u.ok("identity", "fetch", addr, "--json")
	var views []struct {
		Address  string `json:"address"`
		Versions []int  `json:"versions"`
	}
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatalf("fetch --json output %q: %v", out, err)
	}
	if len(views) != 1 || views[0].Address != addr || len(views[0].Versions) != 2 ||
		views[0].Versions[1] != 2 {
		t.Fatalf("fetch --json got %+v, want %s with versions [1 2]", views, addr)
	}
}

// messageJSON is one line of `recv --json`, `inbox --json` or `intro list
// --json`, with the fields their help documents.
type messageJSON struct {
	ID       uint64 `json:"id"`
	From     string `json:"from"`
	Verified bool   `json:"verified"`
	MsgID    string `json:"msg_id"`
	Sent     string `json:"sent"`
	Received string `json:"received"`
	PrekeyID uint32 `json:"prekey_id"`
	Body     string `json:"body"`
	Ed25519  string `json:"ed25519_public"` // intro list only
}

// parseMessages decodes one message object per line of out. A field the
// help does not document, a missing id, a message id that is not 32 hex
// digits or a stamp that is not RFC 3339 fails the test.
func parseMessages(t *testing.T, out string) []messageJSON {
	t.Helper()
	var ms []messageJSON
	for line := range strings.Lines(out) {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var m messageJSON
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("message line %q: %v", line, err)
		}
		_, errSent := time.Parse(time.RFC3339, m.Sent)
		_, errRecv := time.Parse(time.RFC3339, m.Received)
		if _, err := hex.DecodeString(m.MsgID); err != nil || len(m.MsgID) != 32 ||
			m.ID == 0 || errSent != nil || errRecv != nil {
			t.Fatalf("message line %q: bad id, msg_id or stamps", line)
		}
		ms = append(ms, m)
	}
	return ms
}

// wantMsg is a message a test expects: its sender's address and body.
type wantMsg struct{ from, body string }

// checkMessages fails unless ms are want, in order, each from a verified
// sender.
func checkMessages(t *testing.T, what string, ms []messageJSON, want []wantMsg) {
	t.Helper()
	got := make([]wantMsg, len(ms))
	for i, m := range ms {
		got[i] = wantMsg{m.From, m.Body}
		if !m.Verified {
			t.Errorf("%s: message %d from %s is not verified", what, m.ID, m.From)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s got %q, want %q", what, got, want)
	}
}

// checkInbox fails unless `inbox --json` lists want, in order, and plain
// `inbox` prints the same messages as text blocks.
func checkInbox(t *testing.T, u *user, want []wantMsg) {
	t.Helper()
	out, _ := u.ok("inbox", "--json")
	ms := parseMessages(t, out)
	checkMessages(t, "inbox --json", ms, want)
	var text strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&text, "[%d] from %s at %s:\n  %s\n", m.ID, m.From, m.Sent, m.Body)
	}
	if out, _ := u.ok("inbox"); out != text.String() {
		t.Fatalf("inbox got %q, want %q", out, text.String())
	}
}

// checkRecvJSON sends body from one user to another and checks that `recv
// --json` prints it as one object naming the sender and the prekey used.
func checkRecvJSON(t *testing.T, from, to *user, body string) {
	t.Helper()
	res, _ := from.send(to.addr(), body)
	out, _ := to.ok("recv", "--json")
	ms := parseMessages(t, out)
	checkMessages(t, "recv --json", ms, []wantMsg{{from.addr(), body}})
	if res.PrekeyID == 0 || ms[0].PrekeyID != res.PrekeyID {
		t.Fatalf("recv --json got prekey_id %d, want %d (the one send used)",
			ms[0].PrekeyID, res.PrekeyID)
	}
}

// TestIntroEndToEnd: `intro accept` moves a first-contact message to the
// inbox without pinning its sender; `intro block` drops the message, and
// a later message from the blocked sender is dropped, not queued.
func TestIntroEndToEnd(t *testing.T) {
	n := e2eNode(t)
	bob := newE2EUser(t, n, "bob")
	bob.refreshPrekeys(6)
	carol, dave := newE2EUser(t, n, "carol"), newE2EUser(t, n, "dave")
	for _, u := range []*user{carol, dave} {
		u.ok("identity", "fetch", bob.addr(), "--add")
		u.send(bob.addr(), u.name+"'s first")
	}
	if out, errs := bob.ok("recv"); out != "" || !strings.Contains(errs, "2 new message(s)") {
		t.Fatalf("recv got stdout %q stderr %q, want a note of 2 intros", out, errs)
	}
	intros := introList(t, bob, []wantMsg{{carol.addr(), "carol's first"},
		{dave.addr(), "dave's first"}})

	checkIntroAccept(t, bob, intros[0])
	out, _ := bob.ok("intro", "block", strconv.FormatUint(intros[1].ID, 10))
	if want := fmt.Sprintf("block: intro %d from %s\n", intros[1].ID, dave.addr()); out != want {
		t.Fatalf("intro block got %q, want %q", out, want)
	}
	introList(t, bob, nil)
	checkInbox(t, bob, []wantMsg{{carol.addr(), "carol's first"}})

	// Accepting pinned no one: carol's next message is queued again. The
	// blocked dave's is dropped.
	dave.send(bob.addr(), "dave again")
	carol.send(bob.addr(), "carol again")
	if out, errs := bob.ok("recv", "--json"); out != "" ||
		!strings.Contains(errs, "1 new message(s)") {
		t.Fatalf("recv got stdout %q stderr %q, want a note of 1 intro", out, errs)
	}
	introList(t, bob, []wantMsg{{carol.addr(), "carol again"}})
	checkInbox(t, bob, []wantMsg{{carol.addr(), "carol's first"}})
}

// introList fails unless `intro list --json` holds want, in any order,
// and returns the queue in want's order.
func introList(t *testing.T, u *user, want []wantMsg) []messageJSON {
	t.Helper()
	out, _ := u.ok("intro", "list", "--json")
	ms := parseMessages(t, out)
	slices.SortFunc(ms, func(a, b messageJSON) int { return strings.Compare(a.From, b.From) })
	checkMessages(t, "intro list --json", ms, want)
	return ms
}

// checkIntroAccept accepts intro m with --json and checks the reply.
func checkIntroAccept(t *testing.T, u *user, m messageJSON) {
	t.Helper()
	out, _ := u.ok("intro", "accept", strconv.FormatUint(m.ID, 10), "--json")
	var got struct {
		Action   string `json:"action"`
		ID       uint64 `json:"id"`
		From     string `json:"from"`
		Verified bool   `json:"verified"`
		MsgID    string `json:"msg_id"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("intro accept --json output %q: %v", out, err)
	}
	if got.Action != "accept" || got.ID != m.ID || got.From != m.From || !got.Verified ||
		got.MsgID != m.MsgID {
		t.Fatalf("intro accept --json got %+v, want intro %+v accepted", got, m)
	}
}

// doctorJSON is one check of `doctor --json`.
type doctorJSON struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Warn   bool   `json:"warn"`
}

// TestDoctorEndToEnd runs doctor against a live node: with no prekeys
// published only the prekeys check fails and doctor exits 1; once they
// are, every check passes, in text and in --json.
func TestDoctorEndToEnd(t *testing.T) {
	n := e2eNode(t)
	amy := newE2EUser(t, n, "amy")
	owner := names.IdentityHashed("amy", e2eZone)
	want := doctorDetails(amy, "0 live (published in DNS, secret held here); "+
		"run 'dnsmesh identity refresh-prekeys'", "node clock within 1s of ours (limit 1m0s)")
	checkDoctor(t, amy, want, "prekeys")

	amy.refreshPrekeys(3)
	want["prekeys"] = "3 live"
	checks := checkDoctor(t, amy, want, "")
	if !strings.HasSuffix(checks[2].Detail, " at "+owner) {
		t.Errorf("node check got %q, want the identity owner %s", checks[2].Detail, owner)
	}
}

// doctorDetails is what each doctor check of u says, by check name: its
// detail, or the detail's start. The prekeys and clock details depend on
// the test, which passes them.
func doctorDetails(u *user, prekeys, clock string) map[string]string {
	return map[string]string{
		"config":       u.home,
		"keys":         "passphrase unlocks the identity",
		"node":         "answers; ",
		"identity":     "own identity published at " + names.IdentityHashed(u.name, e2eZone),
		"registration": "the node accepts the TSIG key",
		"prekeys":      prekeys,
		"clock":        clock,
	}
}

// checkDoctor runs `doctor --json` and `doctor` and fails unless they list
// the seven checks in their documented order with the wanted details, all
// passing without a warning except failing, which must fail (and doctor
// exit 1). It returns the JSON checks.
func checkDoctor(t *testing.T, u *user, want map[string]string,
	failing string) []doctorJSON {
	t.Helper()
	order := []string{"config", "keys", "node", "identity", "registration", "prekeys",
		"clock"}
	wantCode := 0
	if failing != "" {
		wantCode = 1
	}
	out, errs, code := u.run("", "doctor", "--json")
	var checks []doctorJSON
	if err := json.Unmarshal([]byte(out), &checks); err != nil || code != wantCode {
		t.Fatalf("doctor --json exited %d (want %d), output %q: %v; stderr %s", code,
			wantCode, out, err, errs)
	}
	if len(checks) != len(order) {
		t.Fatalf("doctor --json got %+v, want the checks %v", checks, order)
	}
	for i, c := range checks {
		if c.Name != order[i] || c.OK != (c.Name != failing) || c.Warn ||
			!strings.HasPrefix(c.Detail, want[c.Name]) {
			t.Errorf("doctor --json check %d got %+v, want %s: %q, ok %v", i, c, order[i],
				want[order[i]], order[i] != failing)
		}
	}
	checkDoctorText(t, u, order, failing, wantCode)
	return checks
}

// checkDoctorText fails unless plain `doctor` prints one line per check,
// marked ok or FAIL, and exits wantCode.
func checkDoctorText(t *testing.T, u *user, order []string, failing string, wantCode int) {
	t.Helper()
	out, errs, code := u.run("", "doctor")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != wantCode || len(lines) != len(order) {
		t.Fatalf("doctor exited %d (want %d), printed %q; stderr %s", code, wantCode, out,
			errs)
	}
	for i, name := range order {
		mark := "ok  "
		if name == failing {
			mark = "FAIL"
		}
		if prefix := fmt.Sprintf("%s  %-12s  ", mark, name); !strings.HasPrefix(lines[i],
			prefix) {
			t.Errorf("doctor line %d got %q, want it to start %q", i, lines[i], prefix)
		}
	}
	if failing != "" && !strings.Contains(errs, "1 check(s) failed") {
		t.Errorf("doctor stderr %q, want the failed-check count", errs)
	}
}
