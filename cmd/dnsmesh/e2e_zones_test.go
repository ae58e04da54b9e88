package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// zoneCorefile serves ZONE from the embedded store, with the apex address
// 127.0.0.1 so the SOA MNAME (the apex, no ns being set) resolves to the
// node, and anonymous claims accepted.
const zoneCorefile = `ZONE:{{PORT}} {
    bind 127.0.0.1
    dmp {
        address 127.0.0.1
        registration 127.0.0.1:{{HTTP}} node.ZONE
        registration_rate 0 1h
        claims on
    }
}
`

// zoneUser makes a user whose mailbox zone is served by home and who
// reads through resolvers (no direct server), so claims to other zones
// must find those zones' primaries through DNS; updatePort is where
// those primaries listen.
func zoneUser(t *testing.T, home *nodetest.Node, name, zone string, resolvers []string,
	updatePort string) *user {
	t.Helper()
	u := &user{t: t, name: name, home: filepath.Join(t.TempDir(), name), node: home}
	u.ok("init", name, "--domain", zone, "--dns-server", home.Addr,
		"--register-url", "http://"+home.HTTP)
	out, _ := u.ok("tsig", "register", "--json") // the key remembers home as its server
	var key tsigView
	if err := json.Unmarshal([]byte(out), &key); err != nil || key.KeyName == "" ||
		key.Zone != zone || key.Server != home.Addr {
		t.Fatalf("tsig register --json got %q (%v), want a key for %s on %s", out, err, zone,
			home.Addr)
	}

	cfg, err := config.Load(u.home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DNSServer, cfg.Resolvers = "", resolvers
	if cfg.UpdatePort, err = strconv.Atoi(updatePort); err != nil {
		t.Fatal(err)
	}
	if err := config.Save(u.home, cfg); err != nil {
		t.Fatal(err)
	}
	out, _ = u.ok("identity", "publish", "--advertise-v2", "--json")
	var pub struct{ Owners []string }
	if err := json.Unmarshal([]byte(out), &pub); err != nil || len(pub.Owners) != 1 ||
		!strings.HasSuffix(pub.Owners[0], "."+zone) {
		t.Fatalf("identity publish --json got %q (%v), want one owner in %s", out, err, zone)
	}
	return u
}

// TestClaimToForeignZone sends from a user on one node's zone to a user
// on another node's zone: the claim goes to the recipient zone's primary,
// found by its SOA, and the recipient, who has not pinned the sender and
// so never walks the sender's zone, finds the message through the claim.
func TestClaimToForeignZone(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	nA := nodetest.Start(t, strings.ReplaceAll(zoneCorefile, "ZONE", "zonea.example"))
	nB := nodetest.Start(t, strings.ReplaceAll(zoneCorefile, "ZONE", "zoneb.example"))
	_, portA, _ := net.SplitHostPort(nA.Addr)
	_, portB, _ := net.SplitHostPort(nB.Addr)
	alice := zoneUser(t, nA, "alice", "zonea.example", []string{nA.Addr, nB.Addr}, portB)
	bob := zoneUser(t, nB, "bob", "zoneb.example", []string{nB.Addr, nA.Addr}, portA)
	out, _ := bob.ok("identity", "refresh-prekeys", "--count", "3", "--json")
	var pre struct {
		Published []uint32
		Live      int
	}
	if err := json.Unmarshal([]byte(out), &pre); err != nil || len(pre.Published) != 3 ||
		pre.Live != 3 {
		t.Fatalf("refresh-prekeys --json got %q (%v), want 3 published, 3 live", out, err)
	}
	alice.ok("identity", "fetch", "bob@zoneb.example", "--add")

	res, errs := alice.send("bob@zoneb.example", "across zones")
	if want := "published at zoneb.example via " + nB.Addr; res.Claim != want {
		t.Fatalf("claim got %q, want %q; stderr: %s", res.Claim, want, errs)
	}
	if res.PrekeyID == 0 {
		t.Errorf("send across zones used no prekey; stderr: %s", errs)
	}
	checkClaimOnNode(t, nB, bob, res.Slot, res.MsgID)

	// A lifetime over the claim cap nodes share (24h) still gets a claim.
	out, _ = alice.ok("send", "bob@zoneb.example", "a long-lived one", "--ttl", "30h", "--json")
	if long := decodeSend(t, out); !strings.HasPrefix(long.Claim, "published at zoneb.example") {
		t.Fatalf("claim of a 30h message got %q, want it published", long.Claim)
	}

	out, errs = bob.ok("recv")
	if out != "" || !strings.Contains(errs, "intro list") {
		t.Fatalf("recv got stdout %q stderr %q, want one intro note", out, errs)
	}
	out, _ = bob.ok("intro", "list")
	if !strings.Contains(out, "across zones") || !strings.Contains(out, "alice@zonea.example") {
		t.Fatalf("intro list got %q, want alice's message found through the claim", out)
	}
	checkTrustJSON(t, bob, "alice@zonea.example")
}

// checkTrustJSON trusts u's first intro with --json and checks the output.
func checkTrustJSON(t *testing.T, u *user, from string) {
	t.Helper()
	out, _ := u.ok("intro", "list", "--json")
	var m messageView
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &m); err != nil {
		t.Fatalf("intro list --json got %q: %v", out, err)
	}
	out, _ = u.ok("intro", "trust", strconv.FormatUint(m.ID, 10), "--json")
	var v introActionView
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Action != "trust" ||
		v.ID != m.ID || v.From != from || !v.Verified || v.MsgID != m.MsgID {
		t.Fatalf("intro trust --json got %q (%v), want trust of %d from %s", out, err, m.ID,
			from)
	}
	if out, _ := u.ok("contacts", "list"); !strings.Contains(out, from) {
		t.Fatalf("contacts after trust got %q, want %s", out, from)
	}
}

// checkClaimOnNode reads bob's claim slot on node n and wants the claim
// for msgID, naming the sender's zone.
func checkClaimOnNode(t *testing.T, n *nodetest.Node, bob *user, slot int, msgID string) {
	t.Helper()
	out, _ := bob.ok("identity", "show", "--json")
	var v identityView
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	uid, _ := hex.DecodeString(v.UserID)
	owner := names.Claim(slot, uid, "zoneb.example")
	r := &dnsio.Reader{Servers: []string{n.Addr}}
	vals, err := r.LookupTXT(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, val := range vals {
		cl, err := records.ParseClaimAt(owner, val, time.Now())
		if err == nil && hex.EncodeToString(cl.MsgID[:]) == msgID {
			if cl.Domain != "zonea.example" {
				t.Fatalf("claim names zone %q, want zonea.example", cl.Domain)
			}
			return
		}
	}
	t.Fatalf("node B holds %d values at %s, none the claim for %s", len(vals), owner, msgID)
}
