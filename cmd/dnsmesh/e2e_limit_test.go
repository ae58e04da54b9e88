package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestStdinLimitEndToEnd: a message on stdin too big to read whole (over
// 64 KiB) is refused with the same exact limit as one just over it, for a
// contact reading DMPv2 (whose envelope takes room), through a real node;
// nothing reaches the recipient.
func TestStdinLimitEndToEnd(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	alice.ok("identity", "fetch", bob.addr(), "--add")

	limit := refusedSend(t, alice, bob, strings.Repeat("x", 30000))
	_, errs, code := alice.run(strings.Repeat("x", 70000), "send", bob.addr(), "-")
	m := limitRE.FindStringSubmatch(errs)
	if code != exitUsage || m == nil || m[1] != strconv.Itoa(limit) ||
		!strings.Contains(errs, "stdin holds over 65536 bytes") {
		t.Fatalf("70000-byte stdin: exit %d, stderr %q; want exit 3 naming the limit %d",
			code, errs, limit)
	}
	if out, _ := bob.ok("recv"); out != "" {
		t.Fatalf("recv after a refused send got %q, want nothing", out)
	}
}
