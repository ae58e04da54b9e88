package dmp

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// signedNodeCorefile runs dmp on the embedded store behind CoreDNS's log
// and prometheus plugins, whose view of dmp's signed replies is tested.
const signedNodeCorefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    log
    prometheus 127.0.0.1:{{HTTP}}
    dmp
}
`

// rawScope is what rawKey may write on a signed node.
const rawScope = "chunk-0010-0123456789ab.example.org"

// startSignedNode starts a node on the embedded store holding rawKey.
func startSignedNode(t *testing.T) *nodetest.Node {
	t.Helper()
	if testing.Short() {
		t.Skip("starts coredns-dmp")
	}
	dir := t.TempDir()
	nodetest.PutKeys(t, filepath.Join(dir, "dmp.db"), store.Key{Name: rawKey,
		Algorithm: dns.HmacSHA256, Secret: nodeKeySecret, Scope: []string{rawScope}})
	return nodetest.StartIn(t, dir, signedNodeCorefile)
}

// TestNodeSignedReplyLogged sends signed UPDATEs answered NOERROR, REFUSED
// and NOTAUTH (BADKEY) and checks that the log plugin's line for each
// shows its rcode and flags, and that CoreDNS's responses metric counts
// each rcode: both learn them from a recorder that dmp's signed replies,
// written as bytes, used to bypass.
func TestNodeSignedReplyLogged(t *testing.T) {
	n := startSignedNode(t)
	owner := rawScope + "."
	ok, okMAC := nodeUpdate(t, txtAdd(owner, chunkValue(t, 10)), false, time.Now())
	escape, escapeMAC := nodeUpdate(t, txtAdd("chunk-0099-0123456789ab.example.org.",
		chunkValue(t, 99)), false, time.Now())
	cases := []struct {
		name  string
		wire  []byte
		mac   string
		rcode int
	}{
		{"applied", ok, okMAC, dns.RcodeSuccess},
		{"scope escape", escape, escapeMAC, dns.RcodeRefused},
		{"unknown key", unknownKeyUpdate(t, owner), "", dns.RcodeNotAuth},
	}
	for i, c := range cases {
		id := uint16(4100 + i)
		wire := append([]byte{byte(id >> 8), byte(id)}, c.wire[2:]...)
		_, r := rawExchange(t, "udp", n.Addr, wire)
		if r.Rcode != c.rcode || r.IsTsig() == nil {
			t.Fatalf("%s: got %s signed %v, want %s signed", c.name,
				dns.RcodeToString[r.Rcode], r.IsTsig() != nil, dns.RcodeToString[c.rcode])
		}
		want := fmt.Sprintf(`" %s qr `, dns.RcodeToString[c.rcode])
		if line := logLine(t, n, id); !strings.Contains(line, want) {
			t.Errorf("%s: log line %q, want it to show %q", c.name, line, want)
		}
	}
	responses := grepLines(scrape(t, "http://"+n.HTTP+"/metrics"),
		"coredns_dns_responses_total{")
	for _, rc := range []string{"NOERROR", "REFUSED", "NOTAUTH"} {
		if !hasLine(responses, `rcode="`+rc+`"`, `zone="example.org."} 1`+"\n") {
			t.Errorf("coredns_dns_responses_total counts no %s in example.org.:\n%s", rc,
				responses)
		}
	}
}

// hasLine reports whether a line of text contains every one of parts. A
// line is taken with a newline at its end, the last one too, so a part
// ending in "\n" matches only at the end of a line.
func hasLine(text string, parts ...string) bool {
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n") + "\n"
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

// unknownKeyUpdate is an add signed by a key the node does not hold.
func unknownKeyUpdate(t *testing.T, owner string) []byte {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{txtAdd(owner, chunkValue(t, 10))})
	wire, _ := signAs(t, "nobody.example.org.", nodeKeySecret, m, time.Now())
	return wire
}

// logLine waits up to 5 s for the log plugin's line of the request with
// this ID and returns it.
func logLine(t *testing.T, n *nodetest.Node, id uint16) string {
	t.Helper()
	mark := fmt.Sprintf(" - %d \"", id)
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, line := range strings.Split(n.Output(), "\n") {
			if strings.Contains(line, mark) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line for ID %d:\n%s", id, n.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrape returns the body of a GET of url.
func scrape(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// grepLines returns the lines of text that start with prefix.
func grepLines(text, prefix string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestNodeSignedQuery checks RFC 8945 §5.2 on queries: dig -y with the
// right key gets a signed answer it verifies; a wrong secret gets NOTAUTH
// with BADSIG, an unknown key NOTAUTH with BADKEY; an unsigned query is
// answered unsigned as before.
func TestNodeSignedQuery(t *testing.T) {
	dig := needTool(t, "dig")
	n := startSignedNode(t)
	owner, value := rawScope+".", chunkValue(t, 10)
	add, _ := nodeUpdate(t, txtAdd(owner, value), false, time.Now())
	if _, r := rawExchange(t, "tcp", n.Addr, add); r.Rcode != dns.RcodeSuccess {
		t.Fatalf("seed: got %s", dns.RcodeToString[r.Rcode])
	}

	for _, network := range []string{"udp", "tcp"} {
		out := digSigned(t, dig, n, network, "hmac-sha256:"+rawKey+":"+nodeKeySecret, owner)
		if !strings.Contains(out, "status: NOERROR") || !strings.Contains(out, value[:40]) ||
			!strings.Contains(out, "TSIG PSEUDOSECTION") ||
			strings.Contains(out, "Couldn't verify") || strings.Contains(out, "failure") {
			t.Errorf("%s, right key: want a signed answer dig verifies, got:\n%s", network, out)
		}
		wrong := "hmac-sha256:" + rawKey + ":d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="
		out = digSigned(t, dig, n, network, wrong, owner)
		if !strings.Contains(out, "status: NOTAUTH") || !strings.Contains(out, "BADSIG") ||
			strings.Contains(out, value[:40]) {
			t.Errorf("%s, wrong secret: want NOTAUTH with BADSIG, got:\n%s", network, out)
		}
	}

	q := new(dns.Msg)
	q.SetQuestion(owner, dns.TypeTXT)
	wire, _ := signAs(t, "nobody.example.org.", nodeKeySecret, q, time.Now())
	_, r := rawExchange(t, "udp", n.Addr, wire)
	if r.Rcode != dns.RcodeNotAuth || r.IsTsig() == nil || r.IsTsig().Error != dns.RcodeBadKey ||
		len(r.Answer) != 0 {
		t.Errorf("unknown key: got %s with TSIG %v and %d answers, want NOTAUTH with BADKEY",
			dns.RcodeToString[r.Rcode], r.IsTsig(), len(r.Answer))
	}

	plain := new(dns.Msg)
	plain.SetQuestion(owner, dns.TypeTXT)
	r, err := n.Exchange(plain, "udp")
	if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 || r.IsTsig() != nil {
		t.Errorf("unsigned: got %v, %v; want the answer, unsigned", r, err)
	}
	checkSignedTruncated(t, n, owner)
}

// checkSignedTruncated adds a second value at owner, which takes the
// answer past 512 bytes, and asks for it signed over UDP without EDNS:
// the reply fits 512 bytes with its TSIG, has TC and verifies.
func checkSignedTruncated(t *testing.T, n *nodetest.Node, owner string) {
	t.Helper()
	add, _ := nodeUpdate(t, txtAdd(owner, chunkValue(t, 11)), false, time.Now())
	if _, r := rawExchange(t, "tcp", n.Addr, add); r.Rcode != dns.RcodeSuccess {
		t.Fatalf("second value: got %s", dns.RcodeToString[r.Rcode])
	}
	q := new(dns.Msg)
	q.SetQuestion(owner, dns.TypeTXT)
	wire, mac := signAs(t, rawKey, nodeKeySecret, q, time.Now())
	raw, r := rawExchange(t, "udp", n.Addr, wire)
	if len(raw) > dns.MinMsgSize || !r.Truncated || r.IsTsig() == nil {
		t.Fatalf("got %d bytes, TC %v, TSIG %v; want at most 512 bytes, TC, signed",
			len(raw), r.Truncated, r.IsTsig())
	}
	if err := dns.TsigVerify(raw, nodeKeySecret, mac, false); err != nil {
		t.Fatalf("truncated signed answer does not verify: %v", err)
	}
}

// digSigned runs dig -y KEY for owner's TXT over network.
func digSigned(t *testing.T, dig string, n *nodetest.Node, network, key, owner string) string {
	t.Helper()
	host, port, _ := strings.Cut(n.Addr, ":")
	args := []string{"@" + host, "-p", port, "-y", key, "+norecurse", owner, "TXT"}
	if network == "tcp" {
		args = append(args, "+tcp")
	}
	out, err := exec.Command(dig, args...).CombinedOutput()
	if err != nil {
		t.Logf("dig %v: %v", args, err)
	}
	return string(out)
}
