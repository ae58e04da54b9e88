package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// need returns the path of tool, skipping the test when it is missing
// unless CI=true, where a missing tool is a failure.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %v", tool, err)
	}
	t.Skipf("%s not installed (apt-get install dnsutils knot-dnsutils): %v", tool, err)
	return ""
}

// lookup is what a dig or kdig run reported.
type lookup struct {
	status  string // NOERROR, NXDOMAIN, ...
	flags   string // header flags, e.g. "qr aa"
	answers int    // ANSWER count
	out     string // the whole output
}

var (
	statusRE  = regexp.MustCompile(`status: ([A-Z]+)`)
	flagsRE   = regexp.MustCompile(`(?i)flags: ([a-z ]*);`)
	answersRE = regexp.MustCompile(`ANSWER: (\d+)`)
)

// query runs tool ("dig" or "kdig") against addr with extra options.
func query(t *testing.T, tool, addr, name, qtype string, opts ...string) lookup {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	args := []string{"@" + host, "-p", port, "+norec", "+time=3", "+tries=1"}
	if tool == "kdig" {
		args[5] = "+retry=0"
	}
	args = append(args, opts...)
	args = append(args, name, qtype)
	out, err := exec.Command(need(t, tool), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	l := lookup{out: string(out)}
	if m := statusRE.FindStringSubmatch(l.out); m != nil {
		l.status = m[1]
	}
	if m := flagsRE.FindStringSubmatch(l.out); m != nil {
		l.flags = strings.ToLower(strings.TrimSpace(m[1]))
	}
	if m := answersRE.FindStringSubmatch(l.out); m != nil {
		l.answers, _ = strconv.Atoi(m[1])
	}
	return l
}

// hasFlag reports whether the header flags include f.
func (l lookup) hasFlag(f string) bool {
	for _, g := range strings.Fields(l.flags) {
		if g == f {
			return true
		}
	}
	return false
}

// seedValues writes changes to s as one update at the current time.
func seedValues(t *testing.T, s store.Store, changes ...store.Change) {
	t.Helper()
	u := store.Update{Zone: "example.org.", Changes: changes}
	if err := s.Apply(context.Background(), u, time.Now()); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

func add(owner, value string) store.Change {
	return store.Change{Op: store.OpAdd, Owner: owner, Value: value, TTL: time.Hour}
}

// soaQuery asks the node for its SOA over network and fails the test on
// any error; it shows the node is up.
func soaQuery(t *testing.T, n *nodetest.Node, network string) *dns.Msg {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion("example.org.", dns.TypeSOA)
	r, err := n.Exchange(q, network)
	if err != nil {
		t.Fatalf("SOA over %s: %v", network, err)
	}
	return r
}
