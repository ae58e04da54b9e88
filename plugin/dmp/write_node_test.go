package dmp

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
	"github.com/dnsmesh/dmp/pkg/txt"

	"github.com/miekg/dns"
)

// needTool returns the path of a command-line tool, skipping the test when
// it is missing (failing it under CI=true).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required under CI: %v", name, err)
	}
	t.Skipf("%s not installed: %v", name, err)
	return ""
}

// writeNode is a running coredns-dmp on a real Redis with registration and
// the admin endpoint on.
type writeNode struct {
	*nodetest.Node
	admin *admin.Client
}

const nodeKeySecret = "YWxpY2Utc2VjcmV0LWFsaWNlLXNlY3JldC0xMjM0NTY="

func startWriteNode(t *testing.T) *writeNode {
	t.Helper()
	return startWriteNodeWith(t, "")
}

// startWriteNodeWith is startWriteNode with extra lines in the dmp block.
func startWriteNodeWith(t *testing.T, extra string) *writeNode {
	t.Helper()
	if testing.Short() {
		t.Skip("starts redis-server and coredns-dmp")
	}
	needTool(t, "redis-server")
	n := startWriteNodeOn(t, redistest.Start(t).Addr(), extra)
	_, err := n.admin.Add(context.Background(), admin.NewKey{Name: "alice.example.org.",
		Secret: nodeKeySecret, Scope: []string{"id-0123456789abcdef.example.org",
			"slot-*.mb-*.example.org", "chunk-*-*.example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// startWriteNodeOn starts a node on the Redis at rdb, with no keys added:
// several nodes may share one Redis.
func startWriteNodeOn(t *testing.T, rdb, extra string) *writeNode {
	t.Helper()
	dir := t.TempDir()
	token := "operator-token-for-write-tests"
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	adminAddr := freeLoopback(t)
	corefile := fmt.Sprintf(`example.org:{{PORT}} {
	bind 127.0.0.1
	dmp {
		redis redis://%s
		registration 127.0.0.1:{{HTTP}} node.example.org
		registration_rate 50 1h
		admin %s %s
		%s
	}
}
`, rdb, adminAddr, tokenFile, extra)
	n := &writeNode{Node: nodetest.Start(t, corefile)}
	n.admin = &admin.Client{URL: "http://" + adminAddr, Token: token}
	return n
}

func freeLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// values returns the TXT values the node serves at owner, over transport.
func (n *writeNode) values(t *testing.T, owner, transport string) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(owner, dns.TypeTXT)
	r, err := n.Exchange(m, transport)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rr := range r.Answer {
		if tx, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(tx.Txt, ""))
		}
	}
	return out
}

// updateTool is one client program and transport.
type updateTool struct {
	name string
	args []string // program and flags
}

var updateTools = []updateTool{
	{"nsupdate/udp", []string{"nsupdate"}},
	{"nsupdate/tcp", []string{"nsupdate", "-v"}},
	{"knsupdate/udp", []string{"knsupdate"}},
	{"knsupdate/tcp", []string{"knsupdate", "-v"}},
}

// run feeds script to the tool and returns its exit error and output.
func (u updateTool) run(t *testing.T, script string, env ...string) (string, error) {
	t.Helper()
	needTool(t, u.args[0])
	args := u.args
	if len(env) > 0 {
		needTool(t, "faketime")
		args = append([]string{"faketime", "-f", "-1h"}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(script)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// quoted is value split at 255 bytes, each string quoted with non-ASCII
// bytes as \DDD.
func quoted(value string) string {
	var parts []string
	for _, s := range txt.Split(value) {
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				fmt.Fprintf(&b, "\\%03d", c)
				continue
			}
			b.WriteByte(c)
		}
		b.WriteByte('"')
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " ")
}

func script(n *writeNode, key, line string) string { return scriptAt(n.Addr, key, line) }

// scriptAt is the update script sending line to the server at addr.
func scriptAt(addr, key, line string) string {
	_, port, _ := net.SplitHostPort(addr)
	s := "server 127.0.0.1 " + port + "\nzone example.org.\n"
	if key != "" {
		s += "key hmac-sha256:" + key + "\n"
	}
	return s + line + "\nsend\n"
}

// nodeManifest returns a slot owner name and a valid manifest for it
// listing chunks chunks.
func nodeManifest(t *testing.T, chunks int) (string, string) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(wSeed[:])
	now := uint64(time.Now().Unix())
	m := records.Manifest{TotalChunks: uint32(chunks), DataChunks: uint32(chunks), TS: now,
		Exp: now + 3600, ChunkHashes: make([][32]byte, chunks)}
	for i := range m.ChunkHashes {
		m.ChunkHashes[i][0] = byte(i + 1)
	}
	copy(m.SenderSPK[:], priv.Public().(ed25519.PublicKey))
	m.RecipientID = sha256.Sum256([]byte("recipient"))
	w, err := m.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return "slot-1.mb-0123456789ab.example.org.", w
}

func nodeClaim(t *testing.T, slot uint8) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(wSeed[:])
	now := uint64(time.Now().Unix())
	c := records.Claim{Domain: "sender.example", Slot: slot, TS: now, Exp: now + 3600}
	copy(c.SenderSPK[:], priv.Public().(ed25519.PublicKey))
	w, err := c.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// toolCase is one UPDATE sent by every tool of TestNodeUpdateTools.
type toolCase struct {
	name  string
	key   string // "name secret", "" for unsigned
	owner string
	line  string // the tool's update command
	want  string // "" for success, else the rcode the tool prints
	value string // on success, the value served at owner
	ede   string // on refusal, the EDE text the node sends a client with EDNS
	skew  bool   // sign with a clock outside the fudge
}

// TestNodeUpdateTools drives a real node with nsupdate and knsupdate over
// UDP and TCP: a signed add is served (read back with dig and miekg/dns),
// and every bad UPDATE is refused with the right rcode, stores nothing,
// and carries the refusal's EDE text when sent with EDNS.
func TestNodeUpdateTools(t *testing.T) {
	n := startWriteNode(t)
	late := startLateNode(t)
	cases := toolCases(t)
	for _, tool := range updateTools {
		for _, c := range cases {
			if c.name == "oversized value" && tool.name == "knsupdate/udp" {
				// CoreDNS reads at most 512 bytes of a UDP datagram, so this
				// 17 kB UPDATE arrives cut short: FORMERR from the server.
				// nsupdate switches to TCP by itself for such messages.
				c.want, c.ede = "FORMERR", ""
			}
			t.Run(tool.name+"/"+c.name, func(t *testing.T) {
				runToolCase(t, n, late, tool, c)
			})
		}
	}
	for _, c := range cases {
		if c.ede != "" {
			t.Run("edns/"+c.name, func(t *testing.T) { checkEDEOver(t, n, c, "tcp") })
		}
	}
	if got := n.values(t, "CHUNK-0007-0123456789AB.example.org.", "tcp"); len(got) != 1 ||
		got[0] != chunkValue(t, 7) {
		t.Fatalf("signed add still served over TCP: got %v", got)
	}
}

// toolCases are the UPDATEs of TestNodeUpdateTools. Each refused record
// is valid at its owner name but for the one fault the case is about, so
// only the check under test can refuse it.
func toolCases(t *testing.T) []toolCase {
	good := "alice.example.org. " + nodeKeySecret
	wrong := "alice.example.org. c29tZSBvdGhlciBzZWNyZXQsIDMyIGJ5dGVzIGxvbmc="
	manOwner, man := nodeManifest(t, 1)
	forged := []byte(man)
	forged[len(forged)-12] ^= 1
	_, big := nodeManifest(t, 400) // valid (n ≤ 1024), 17 316 bytes: over the 16384 default cap
	mallory, malloryID := nodeIdentity(t, "mallory")
	claimOwner := "claim-%d.mb-0123456789ab.example.org."
	claim := nodeClaim(t, 4)
	add := func(owner, value string) string {
		return "update add " + owner + " 300 TXT " + quoted(value)
	}
	chunk7, chunk8 := "chunk-0007-0123456789ab.example.org.", "chunk-0008-0123456789ab.example.org."
	chunk9 := "chunk-0009-0123456789ab.example.org."
	return []toolCase{
		{name: "signed add", key: good, owner: chunk7, line: add(chunk7, chunkValue(t, 7)),
			value: chunkValue(t, 7)},
		{name: "wrong secret", key: wrong, owner: chunk8, line: add(chunk8, chunkValue(t, 8)),
			want: "BADSIG"},
		{name: "unknown key", key: "bob.example.org. " + nodeKeySecret, owner: chunk8,
			line: add(chunk8, chunkValue(t, 8)), want: "BADKEY"},
		{name: "skewed clock", key: good, owner: chunk8, line: add(chunk8, chunkValue(t, 8)),
			want: "BADTIME", skew: true},
		{name: "scope escape", key: good, owner: mallory, line: add(mallory, malloryID),
			want: "REFUSED",
			ede:  "alice.example.org. may not add at " + mallory},
		{name: "wildcard delete", key: good, owner: chunk7,
			line: "update delete " + chunk7 + " TXT", want: "REFUSED",
			ede: "alice.example.org. may not delete at " + chunk7},
		{name: "oversized value", key: good, owner: manOwner, line: add(manOwner, big),
			want: "REFUSED",
			ede:  fmt.Sprintf("value is %d bytes, the cap is %d", len(big), defaultMaxValueLen)},
		{name: "non-UTF-8 value", key: good, owner: chunk9,
			line: "update add " + chunk9 + " 300 TXT \"v=dmp1;\\255\"", want: "FORMERR",
			ede: "TXT value is not valid UTF-8"},
		{name: "forged manifest", key: good, owner: manOwner,
			line: add(manOwner, string(forged)), want: "REFUSED",
			ede: manOwner + ": dmp manifest record: signature does not verify"},
		{name: "claim at the wrong slot", owner: fmt.Sprintf(claimOwner, 3),
			line: add(fmt.Sprintf(claimOwner, 3), claim), want: "REFUSED",
			ede: fmt.Sprintf(claimOwner, 3) +
				": dmp claim record: body slot 4 differs from owner label claim-3"},
		{name: "claim", owner: fmt.Sprintf(claimOwner, 4),
			line: add(fmt.Sprintf(claimOwner, 4), claim), value: claim},
	}
}

// nodeIdentity returns the identity owner name of user in example.org and
// a valid identity record for it.
func nodeIdentity(t *testing.T, user string) (string, string) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(wSeed[:])
	r := records.Identity{Username: user, TS: uint64(time.Now().Unix())}
	copy(r.Ed25519[:], priv.Public().(ed25519.PublicKey))
	w, err := r.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return names.IdentityHashed(user, "example.org") + ".", w
}

// lateNode is a node whose TSIG fudge is one second, reached through a
// proxy that holds every message back for longer: to the node, the
// sender's clock is behind by more than the fudge. nsupdate hangs under
// libfaketime (its jemalloc deadlocks on libfaketime's start-up), and a
// Go node ignores libfaketime, so this is how nsupdate gets a skewed
// clock; knsupdate runs under faketime instead.
type lateNode struct {
	*writeNode
	proxy string // UDP and TCP address of the delaying proxy
}

const lateBy = 2500 * time.Millisecond // beyond the 1s fudge, under nsupdate's 3s retry

func startLateNode(t *testing.T) *lateNode {
	t.Helper()
	n := startWriteNodeWith(t, "tsig_fudge 1s")
	return &lateNode{writeNode: n, proxy: startProxy(t, n.Addr, lateBy).addr}
}

func runToolCase(t *testing.T, n *writeNode, late *lateNode, tool updateTool, c toolCase) {
	var env []string
	addr := n.Addr
	if c.skew && strings.HasPrefix(tool.name, "nsupdate") {
		addr = late.proxy
		n = late.writeNode
	} else if c.skew {
		env = []string{"FAKETIME_DONT_FAKE_MONOTONIC=1"}
	}
	out, err := tool.run(t, scriptAt(addr, c.key, c.line), env...)
	if c.want == "" {
		if err != nil {
			t.Fatalf("got %v:\n%s", err, out)
		}
		checkServed(t, n, c.owner, c.value)
		return
	}
	if err == nil || !strings.Contains(out, c.want) {
		t.Fatalf("got %v, want a failure showing %s:\n%s", err, c.want, out)
	}
	if c.owner != "chunk-0007-0123456789ab.example.org." {
		if got := n.values(t, c.owner, "udp"); len(got) != 0 {
			t.Fatalf("stored %v after a refused update", got)
		}
	}
}

// checkServed reads owner back with dig and miekg/dns over UDP and TCP.
func checkServed(t *testing.T, n *writeNode, owner, value string) {
	t.Helper()
	for _, flag := range []string{"+notcp", "+tcp"} {
		if got := digValue(t, n.Addr, owner, flag); got != value {
			t.Fatalf("dig %s %s: got %q, want %q", flag, owner, got, value)
		}
	}
	for _, transport := range []string{"udp", "tcp"} {
		if got := n.values(t, owner, transport); len(got) != 1 || got[0] != value {
			t.Fatalf("%s: %s served %v, want the added value", transport, owner, got)
		}
	}
}

// digValue returns the one TXT value dig reads at owner from the node at
// addr with flag (+tcp or +notcp), its strings joined.
func digValue(t *testing.T, addr, owner, flag string) string {
	t.Helper()
	needTool(t, "dig")
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "dig", "@"+host, "-p", port, flag, "+short",
		"+bufsize=4096", owner, "TXT").Output()
	if err != nil {
		t.Fatalf("dig: %v", err)
	}
	// dig +short prints one RR a line, as quoted strings separated by
	// spaces; the values here are printable ASCII without quotes.
	line := strings.TrimSpace(string(out))
	if strings.Contains(line, "\n") {
		t.Fatalf("dig: got several RRs:\n%s", line)
	}
	return strings.ReplaceAll(strings.Trim(line, `"`), `" "`, "")
}

// checkEDEOver sends c's UPDATE with EDNS from miekg/dns over network
// ("udp" or "tcp") and checks the refusal carries c's EDE text, in a reply
// signed when c's was.
func checkEDEOver(t *testing.T, n *writeNode, c toolCase, network string) {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	fields := strings.Fields(c.line)
	rr, err := dns.NewRR(strings.Join(fields[2:], " "))
	if err != nil {
		t.Fatal(err)
	}
	if fields[1] == "delete" {
		m.RemoveRRset([]dns.RR{rr})
	} else {
		m.Insert([]dns.RR{rr})
	}
	m.SetEdns0(4096, false)
	m.Compress = true // as the tools do: a small UPDATE fits one 512-byte datagram
	cl := &dns.Client{Net: network, Timeout: 5 * time.Second}
	if c.key != "" {
		name, secret, _ := strings.Cut(c.key, " ")
		cl.TsigSecret = map[string]string{name: secret}
		m.SetTsig(name, dns.HmacSHA256, 300, time.Now().Unix())
	}

	r, _, err := cl.Exchange(m, n.Addr) // a signed reply that fails to verify is an error
	if err != nil {
		t.Fatal(err)
	}
	if dns.RcodeToString[r.Rcode] != c.want || edeText(r) != c.ede {
		t.Fatalf("got %s %q, want %s %q", dns.RcodeToString[r.Rcode], edeText(r), c.want, c.ede)
	}
	if (r.IsTsig() != nil) != (c.key != "") {
		t.Fatalf("reply signed %v, request signed %v", r.IsTsig() != nil, c.key != "")
	}
}

// TestNodeRawTSIG sends signed UPDATEs from a miekg/dns client over UDP
// and TCP: the very same bytes sent again are refused as a replay and
// store nothing, even after the value was deleted in between; a skewed
// clock is BADTIME; and every reply carries a TSIG that verifies.
func TestNodeRawTSIG(t *testing.T) {
	n := startWriteNode(t)
	// alice's chunk scope is a wildcard, which may not delete: this key's
	// literal scope may.
	_, err := n.admin.Add(context.Background(), admin.NewKey{Name: rawKey,
		Secret: nodeKeySecret, Scope: []string{"chunk-0010-0123456789ab.example.org",
			"chunk-0011-0123456789ab.example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			owner := fmt.Sprintf("chunk-%04d-0123456789ab.example.org.", 10+i)
			checkReplay(t, n, network, owner, chunkValue(t, byte(10+i)))
			checkBadTime(t, n, network, owner, chunkValue(t, byte(10+i)))
		})
	}
}

const rawKey = "raw.example.org."

// nodeUpdate is an UPDATE of one change signed by rawKey, packed with its
// TSIG; its MAC is returned for checking the reply.
func nodeUpdate(t *testing.T, rr dns.RR, remove bool, at time.Time) ([]byte, string) {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	if remove {
		m.Remove([]dns.RR{rr})
	} else {
		m.Insert([]dns.RR{rr})
	}
	return signAs(t, rawKey, nodeKeySecret, m, at)
}

// checkReplay adds value at owner, deletes it with a fresh UPDATE, then
// sends the add's bytes again: refused, signed, and nothing re-stored.
func checkReplay(t *testing.T, n *writeNode, network, owner, value string) {
	t.Helper()
	add, addMAC := nodeUpdate(t, txtAdd(owner, value), false, time.Now())
	signedReply(t, n, network, add, addMAC, dns.RcodeSuccess)
	if got := n.values(t, owner, network); len(got) != 1 || got[0] != value {
		t.Fatalf("after the add: served %v", got)
	}

	del, delMAC := nodeUpdate(t, txtAdd(owner, value), true, time.Now())
	signedReply(t, n, network, del, delMAC, dns.RcodeSuccess)
	if got := n.values(t, owner, network); len(got) != 0 {
		t.Fatalf("after the delete: served %v", got)
	}

	signedReply(t, n, network, add, addMAC, dns.RcodeRefused)
	if got := n.values(t, owner, network); len(got) != 0 {
		t.Fatalf("the replayed add stored %v", got)
	}
}

// checkBadTime sends an add signed an hour ago: NOTAUTH with BADTIME, in
// a reply whose MAC verifies, and nothing stored.
func checkBadTime(t *testing.T, n *writeNode, network, owner, value string) {
	t.Helper()
	wire, mac := nodeUpdate(t, txtAdd(owner, value), false, time.Now().Add(-time.Hour))
	r := signedReply(t, n, network, wire, mac, dns.RcodeNotAuth)
	if r.IsTsig().Error != dns.RcodeBadTime {
		t.Fatalf("skew: got TSIG error %d, want BADTIME", r.IsTsig().Error)
	}
	if got := n.values(t, owner, network); len(got) != 0 {
		t.Fatalf("skew: stored %v", got)
	}
}

// signedReply sends wire over network and checks the reply has rcode and
// a TSIG whose MAC verifies against the request MAC. miekg/dns refuses
// to check a NOTAUTH reply at all, so those are checked by replyMACOK.
func signedReply(t *testing.T, n *writeNode, network string, wire []byte, reqMAC string,
	rcode int) *dns.Msg {
	t.Helper()
	raw, r := rawExchange(t, network, n.Addr, wire)
	if r.Rcode != rcode || r.IsTsig() == nil {
		t.Fatalf("got %s signed %v, want %s signed", dns.RcodeToString[r.Rcode],
			r.IsTsig() != nil, dns.RcodeToString[rcode])
	}
	if rcode == dns.RcodeNotAuth {
		if !replyMACOK(t, raw, r.IsTsig(), reqMAC) {
			t.Fatalf("NOTAUTH reply MAC does not verify: %v", r.IsTsig())
		}
		return r
	}
	if err := dns.TsigVerify(raw, nodeKeySecret, reqMAC, false); err != nil {
		t.Fatalf("%s reply TSIG does not verify: %v", dns.RcodeToString[rcode], err)
	}
	return r
}

// replyMACOK computes the HMAC-SHA256 of a reply as RFC 8945 §4.3 has it
// (request MAC, the reply without its TSIG under the original ID, the TSIG
// variables) and reports whether it is tsig's MAC. The node appends the
// TSIG uncompressed, so the reply without it is a prefix of raw.
func replyMACOK(t *testing.T, raw []byte, tsig *dns.TSIG, reqMAC string) bool {
	t.Helper()
	body := append([]byte(nil), raw[:len(raw)-dns.Len(tsig)]...)
	binary.BigEndian.PutUint16(body[0:2], tsig.OrigId)
	binary.BigEndian.PutUint16(body[10:12], binary.BigEndian.Uint16(body[10:12])-1)
	secret, _ := base64.StdEncoding.DecodeString(nodeKeySecret)
	req, _ := hex.DecodeString(reqMAC)
	other, _ := hex.DecodeString(tsig.OtherData)

	h := hmac.New(sha256.New, secret)
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(req))))
	h.Write(req)
	h.Write(body)
	h.Write(wireName(t, tsig.Hdr.Name))
	h.Write([]byte{0, 255, 0, 0, 0, 0}) // class ANY, TTL 0
	h.Write(wireName(t, tsig.Algorithm))
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(tsig.TimeSigned>>32)))
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(tsig.TimeSigned)))
	h.Write(binary.BigEndian.AppendUint16(nil, tsig.Fudge))
	h.Write(binary.BigEndian.AppendUint16(nil, tsig.Error))
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(other))))
	h.Write(other)
	return hex.EncodeToString(h.Sum(nil)) == strings.ToLower(tsig.MAC)
}

// wireName is name lower-cased in uncompressed wire form.
func wireName(t *testing.T, name string) []byte {
	t.Helper()
	buf := make([]byte, 256)
	k, err := dns.PackDomainName(dns.CanonicalName(name), buf, 0, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:k]
}

// rawExchange sends wire as it is over network ("udp" or "tcp") and
// returns the reply's bytes and message.
func rawExchange(t *testing.T, network, addr string, wire []byte) ([]byte, *dns.Msg) {
	t.Helper()
	conn, err := dns.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		t.Fatal(err)
	}
	buf, err := conn.ReadMsgHeader(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(buf); err != nil {
		t.Fatal(err)
	}
	return buf, r
}
