package dmp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"

	"github.com/miekg/dns"
)

// TestNodeToolReplay records the exact bytes of a signed add sent by
// nsupdate and knsupdate, over UDP and TCP, through a proxy in front of a
// real node on real Redis; deletes the value with a fresh signed UPDATE;
// then sends the recorded bytes again, over the tool's transport. The
// replay is REFUSED in a reply signed for it, and the value stays gone.
func TestNodeToolReplay(t *testing.T) {
	n := startWriteNode(t)
	owners := make([]string, len(updateTools))
	for i := range owners {
		owners[i] = fmt.Sprintf("chunk-%04d-0123456789ab.example.org", 20+i)
	}
	// alice's chunk scope is a wildcard, which may not delete: the
	// literal scope of rawKey may.
	_, err := n.admin.Add(context.Background(), admin.NewKey{Name: rawKey,
		Secret: nodeKeySecret, Scope: owners})
	if err != nil {
		t.Fatal(err)
	}
	for i, tool := range updateTools {
		t.Run(tool.name, func(t *testing.T) {
			checkToolReplay(t, n, tool, owners[i]+".", chunkValue(t, byte(20+i)))
		})
	}
}

// checkToolReplay adds value at owner with tool through a recording
// proxy, deletes it, and replays the tool's UPDATE bytes.
func checkToolReplay(t *testing.T, n *writeNode, tool updateTool, owner, value string) {
	t.Helper()
	p := startProxy(t, n.Addr, 0)
	line := "update add " + owner + " 300 TXT " + quoted(value)
	if out, err := tool.run(t, scriptAt(p.addr, rawKey+" "+nodeKeySecret, line)); err != nil {
		t.Fatalf("the add failed: %v\n%s", err, out)
	}
	checkServed(t, n, owner, value)
	network := tool.name[strings.IndexByte(tool.name, '/')+1:]
	wire, req := recordedUpdate(t, p, network)

	del, delMAC := nodeUpdate(t, txtAdd(owner, value), true, time.Now())
	signedReply(t, n, network, del, delMAC, dns.RcodeSuccess)
	if got := n.values(t, owner, network); len(got) != 0 {
		t.Fatalf("after the delete: served %v", got)
	}

	r := signedReply(t, n, network, wire, req.IsTsig().MAC, dns.RcodeRefused)
	// Neither tool puts an OPT record in an UPDATE, and a reply has one
	// only when its request had (RFC 6891 §7), so this refusal carries no
	// EDE; TestNodesShareRedis checks the "replayed TSIG MAC" text.
	if req.IsEdns0() != nil || r.IsEdns0() != nil {
		t.Fatalf("request OPT %v, reply OPT %v: want neither", req.IsEdns0(), r.IsEdns0())
	}
	for _, transport := range []string{"udp", "tcp"} {
		if got := n.values(t, owner, transport); len(got) != 0 {
			t.Fatalf("the replayed add stored %v", got)
		}
	}
}

// recordedUpdate returns the bytes and message of the one signed UPDATE
// the proxy saw, checking it came over network. A UDP retry would send
// the very same bytes again, so copies of it are allowed.
func recordedUpdate(t *testing.T, p *proxy, network string) ([]byte, *dns.Msg) {
	t.Helper()
	var wire []byte
	for _, s := range p.requests() {
		m := new(dns.Msg)
		if m.Unpack(s.wire) != nil || m.Opcode != dns.OpcodeUpdate {
			continue // a query the tool made on its own
		}
		if s.network != network || m.IsTsig() == nil {
			t.Fatalf("recorded an UPDATE over %s signed %v, want over %s signed",
				s.network, m.IsTsig() != nil, network)
		}
		if wire != nil && string(wire) != string(s.wire) {
			t.Fatal("recorded two different UPDATEs")
		}
		wire = s.wire
	}
	if wire == nil {
		t.Fatal("the proxy saw no UPDATE")
	}
	m := new(dns.Msg)
	if err := m.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	return wire, m
}
