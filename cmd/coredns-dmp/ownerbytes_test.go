package main

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"
)

// defaultOwnerBytes is the documented default of max_owner_bytes.
const defaultOwnerBytes = 64000

var msgSizeRE = regexp.MustCompile(`MSG SIZE\s+rcvd: (\d+)`)

// One owner filled to the default max_owner_bytes is answered whole over
// TCP, and the UPDATE that would take it over is refused. max_per_owner is
// raised so that the byte cap, not the count, is what binds.
func TestOwnerBytesFitTCP(t *testing.T) {
	n, _, s := startRedisNode(t, "max_per_owner 1000")
	if err := s.PutKey(context.Background(), killKey); err != nil {
		t.Fatal(err)
	}
	const owner = "chunk-0001-0123456789ab.example.org."
	fit := defaultOwnerBytes / store.RRBytes(chunkRecord(t, 0)) // 251 chunks of 254 bytes
	var seed []store.Change
	for i := range fit - 1 {
		seed = append(seed, add(owner, chunkRecord(t, i)))
	}
	seedValues(t, s, seed...)

	if out, err := nsupdateAdd(t, n, owner, chunkRecord(t, fit-1)); err != nil {
		t.Fatalf("the last add that fits: %v\n%s", err, out)
	}
	l := query(t, "dig", n.Addr, owner, "TXT", "+tcp")
	checkWhole(t, l, fit)

	out, err := nsupdateAdd(t, n, owner, chunkRecord(t, fit))
	if err == nil || !strings.Contains(out, "REFUSED") {
		t.Fatalf("the add over %d bytes: got %v, want REFUSED\n%s", defaultOwnerBytes, err, out)
	}
	checkWhole(t, query(t, "dig", n.Addr, owner, "TXT", "+tcp"), fit)
}

// checkWhole checks a dig answer over TCP: NOERROR without TC, the
// values of chunks 0 to want-1 each printed once, and a message as large
// as those values need.
func checkWhole(t *testing.T, l lookup, want int) {
	t.Helper()
	if l.status != "NOERROR" || l.hasFlag("tc") || l.answers != want {
		t.Fatalf("got %s flags %q with %d answers, want NOERROR without tc and %d\n%.2000s",
			l.status, l.flags, l.answers, want, l.out)
	}
	for i := range want + 1 {
		got, wantN := strings.Count(l.out, `"`+chunkRecord(t, i)+`"`), 1
		if i == want {
			wantN = 0 // the refused one
		}
		if got != wantN {
			t.Errorf("chunk %d: printed %d times, want %d", i, got, wantN)
		}
	}
	m := msgSizeRE.FindStringSubmatch(l.out)
	if m == nil {
		t.Fatalf("no message size in the dig output:\n%.2000s", l.out)
	}
	if size, _ := strconv.Atoi(m[1]); size < want*store.RRBytes(chunkRecord(t, 0)) {
		t.Errorf("got a %d-byte message, want at least the %d values' bytes", size, want)
	}
}

// nsupdateAdd adds value at owner with nsupdate over TCP, signed with
// killKey, and returns its output.
func nsupdateAdd(t *testing.T, n *nodetest.Node, owner, value string) (string, error) {
	t.Helper()
	host, port, _ := net.SplitHostPort(n.Addr)
	script := fmt.Sprintf("server %s %s\nzone example.org\nkey hmac-sha256:%s %s\n"+
		"update add %s 300 TXT \"%s\"\nsend\n", host, port, killKey.Name, killKey.Secret,
		owner, value)
	cmd := exec.Command(need(t, "nsupdate"), "-v")
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
