package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/redistest"

	"github.com/miekg/dns"
)

// TestNodesReplace runs dmpctl against two real coredns-dmp nodes on one
// real Redis: a key added at node A is found existing at node B, where
// only --replace replaces it; node A then lists the new key, verifies
// UPDATEs signed with the new secret and refuses the old one.
func TestNodesReplace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and two coredns-dmp")
	}
	nodetest.NeedTool(t, "redis-server")
	rdb := redistest.Start(t).Addr()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("operator-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, ga := startNode(t, rdb, tokenFile)
	_, gb := startNode(t, rdb, tokenFile)

	add := []string{"keys", "add", "ops.example.org", "--scope", "ops.example.org"}
	out, err := run(t, append(ga, add...)...)
	if err != nil {
		t.Fatalf("add at A: %v", err)
	}
	old := secretOf(t, out)
	_, err = run(t, append(gb, add...)...)
	if got := exitCode(err); got != exitUsage || !strings.Contains(fmt.Sprint(err),
		"exists; revoke it first, or pass --replace") {
		t.Fatalf("add at B: got exit %d (%v), want %d naming --replace", got, err, exitUsage)
	}
	checkSigned(t, a, old, dns.RcodeSuccess)

	out, errOut, err := runErr(t, append(gb, append(add, "--scope", "ops2.example.org",
		"--replace")...)...)
	if err != nil || !strings.Contains(errOut, "replaced the key ops.example.org.") {
		t.Fatalf("replace at B: got %q, %v", errOut, err)
	}
	checkSigned(t, a, secretOf(t, out), dns.RcodeSuccess)
	checkSigned(t, a, old, dns.RcodeNotAuth)
	if out, err := run(t, append(ga, "keys", "list")...); err != nil ||
		!strings.Contains(out, "ops.example.org,ops2.example.org") {
		t.Fatalf("list at A: got %q, %v; want the replaced scope", out, err)
	}
}

// startNode starts coredns-dmp serving example.org from the Redis at rdb
// with its admin endpoint on the node's {{HTTP}} port, and returns it with
// dmpctl's global flags.
func startNode(t *testing.T, rdb, tokenFile string) (*nodetest.Node, []string) {
	t.Helper()
	n := nodetest.Start(t, fmt.Sprintf(`example.org:{{PORT}} {
	bind 127.0.0.1
	dmp {
		redis redis://%s
		admin 127.0.0.1:{{HTTP}} %s
	}
}
`, rdb, tokenFile))
	return n, []string{"--admin", "http://" + n.HTTP, "--token-file", tokenFile}
}

// checkSigned sends node an UPDATE signed by ops.example.org. with secret
// that deletes the TXT RRset at ops.example.org. (a no-op its scope
// allows) and checks the rcode.
func checkSigned(t *testing.T, n *nodetest.Node, secret string, want int) {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "ops.example.org.", Rrtype: dns.TypeTXT}}
	m.RemoveRRset([]dns.RR{rr})
	m.SetTsig("ops.example.org.", dns.HmacSHA256, 300, time.Now().Unix())
	c := &dns.Client{Net: "tcp", TsigSecret: map[string]string{"ops.example.org.": secret}}
	r, _, err := c.Exchange(m, n.Addr)
	if r == nil || (err != nil && want == dns.RcodeSuccess) {
		t.Fatalf("signed UPDATE: %v", err)
	}
	if r.Rcode != want {
		t.Fatalf("signed UPDATE: got %s, want %s", dns.RcodeToString[r.Rcode],
			dns.RcodeToString[want])
	}
}
