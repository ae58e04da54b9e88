package dmp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// TestNodeValueCapTools sends, from nsupdate and knsupdate over UDP and
// TCP, a valid manifest just over a node's max_value_len 300, in an
// UPDATE small enough for one 512-byte datagram, so that over UDP too the
// value reaches the cap check whole (TestNodeUpdateTools's 17 kB value is
// cut short over UDP). Each is REFUSED, stores nothing, and with EDNS the
// refusal names the cap.
func TestNodeValueCapTools(t *testing.T) {
	n := startWriteNodeWith(t, "max_value_len 300")
	owner, value := nodeManifest(t, 2)
	if len(value) <= 300 {
		t.Fatalf("the manifest is %d bytes, want over the cap", len(value))
	}
	c := toolCase{name: "over max_value_len", key: "alice.example.org. " + nodeKeySecret,
		owner: owner, line: "update add " + owner + " 300 TXT " + quoted(value),
		want: "REFUSED", ede: fmt.Sprintf("value is %d bytes, the cap is 300", len(value))}
	for _, tool := range updateTools {
		t.Run(tool.name, func(t *testing.T) { checkCapRefused(t, n, tool, c) })
	}
	for _, network := range []string{"udp", "tcp"} {
		t.Run("edns/"+network, func(t *testing.T) { checkEDEOver(t, n, c, network) })
	}
	for _, transport := range []string{"udp", "tcp"} {
		if got := n.values(t, owner, transport); len(got) != 0 {
			t.Fatalf("%s: stored %v after refused updates", transport, got)
		}
	}
}

// checkCapRefused sends c's UPDATE with tool through a recording proxy:
// REFUSED, nothing stored, and the UPDATE the node got was whole (no more
// than 512 bytes over UDP).
func checkCapRefused(t *testing.T, n *writeNode, tool updateTool, c toolCase) {
	t.Helper()
	p := startProxy(t, n.Addr, 0)
	out, err := tool.run(t, scriptAt(p.addr, c.key, c.line))
	if err == nil || !strings.Contains(out, c.want) {
		t.Fatalf("got %v, want a failure showing %s:\n%s", err, c.want, out)
	}
	network := tool.name[strings.IndexByte(tool.name, '/')+1:]
	wire, m := recordedUpdate(t, p, network)
	if network == "udp" && len(wire) > dns.MinMsgSize {
		t.Fatalf("the UPDATE is %d bytes, more than one %d-byte datagram", len(wire),
			dns.MinMsgSize)
	}
	if len(m.Ns) != 1 {
		t.Fatalf("the UPDATE has %d records, want the one add", len(m.Ns))
	}
	if got := n.values(t, c.owner, "udp"); len(got) != 0 {
		t.Fatalf("stored %v after a refused update", got)
	}
}
