package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// limitRE reads the exact body limit out of send's "message too large"
// error.
var limitRE = regexp.MustCompile(`the limit is (\d+) bytes`)

// TestLargestMessage sends the largest message the protocol carries
// through a node with default caps, and one byte more. The first goes out
// in 255 chunks, its 11 kB manifest within the node's value cap, and is
// received whole; the second is refused before anything is published,
// with an error that names the exact limit.
func TestLargestMessage(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.refreshPrekeys(2)
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")

	limit := refusedSend(t, alice, bob, strings.Repeat("x", 30000))
	body := strings.Repeat("0123456789abcdef", limit/16+1)[:limit]
	res, _ := alice.send(bob.addr(), body)
	if res.Chunks != 255 {
		t.Errorf("largest message went out in %d chunks, want 255", res.Chunks)
	}
	out, _ := bob.ok("recv")
	if !strings.Contains(out, body) {
		t.Fatalf("bob's recv printed %d bytes, want the %d-byte message", len(out), limit)
	}

	if again := refusedSend(t, alice, bob, body+"x"); again != limit {
		t.Fatalf("one byte over: the error names the limit %d, want %d", again, limit)
	}
}

// refusedSend sends body, over the limit, checks that it is refused up
// front (exit 3, nothing for the recipient) and returns the limit the
// error names.
func refusedSend(t *testing.T, from, to *user, body string) int {
	t.Helper()
	_, errs, code := from.run(body, "send", to.addr(), "-")
	m := limitRE.FindStringSubmatch(errs)
	if code != exitUsage || !strings.Contains(errs, "message too large") || m == nil {
		t.Fatalf("oversized send: exit %d, stderr %q; want exit 3 naming the limit", code,
			errs)
	}
	if out, _ := to.ok("recv"); out != "" {
		t.Fatalf("recv after a refused send got %q, want nothing", out)
	}
	limit, err := strconv.Atoi(m[1])
	if err != nil || limit < 24000 || limit > 24724 {
		t.Fatalf("limit %q: want a figure just under 24 724 bytes (message-path.md §6.5)",
			m[1])
	}
	return limit
}
