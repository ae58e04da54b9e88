package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	r := redistest.Start(t)
	return nodetest.Start(t, strings.ReplaceAll(e2eCorefile, "REDIS", r.Addr()))
}

// user is one dnsmesh identity with its own config home.
type user struct {
	t    *testing.T
	name string
	home string
	node *nodetest.Node
}

func newE2EUser(t *testing.T, n *nodetest.Node, name string) *user {
	u := &user{t: t, name: name, home: filepath.Join(t.TempDir(), name), node: n}
	u.ok("init", name, "--domain", e2eZone, "--dns-server", n.Addr,
		"--register-url", "http://"+n.HTTP)
	u.ok("tsig", "register")
	u.ok("identity", "publish", "--advertise-v2")
	return u
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
	var res client.SendResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		u.t.Fatalf("send output %q: %v", out, err)
	}
	return res, errs
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
	if out, _ := bob.ok("inbox"); strings.Contains(out, "carol") {
		t.Fatalf("inbox got %q, want no message from carol", out)
	}

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
