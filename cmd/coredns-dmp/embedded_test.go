package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store/boltstore"

	"github.com/miekg/dns"
)

const embeddedCorefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    dmp {
        db {{DIR}}/dmp.db
    }
}
`

// Records acknowledged by the embedded store survive SIGKILL of the node.
//
// TODO(#4): write through DNS UPDATE once the write side serves it; until
// then the records are written with the store package while the node is
// down (bbolt locks the file while the node runs), and acknowledged means
// Apply returned nil.
func TestEmbeddedSurvivesKill(t *testing.T) {
	n := nodetest.Start(t, embeddedCorefile)
	n.Kill()

	s, err := boltstore.Open(filepath.Join(n.Dir, "dmp.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const total = 200
	var owners []string
	for i := range total {
		owner := fmt.Sprintf("slot-%d.mb-%012d.example.org.", i%10, i)
		seedValues(t, s, add(owner, fmt.Sprintf("value-%d", i)))
		owners = append(owners, owner)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	n.Restart()
	checkAll(t, n, owners)
	n.Kill() // a crash while serving reads
	n.Restart()
	checkAll(t, n, owners)
}

func checkAll(t *testing.T, n *nodetest.Node, owners []string) {
	t.Helper()
	for i, owner := range owners {
		q := new(dns.Msg)
		q.SetQuestion(owner, dns.TypeTXT)
		r, err := n.Exchange(q, "udp")
		if err != nil {
			t.Fatalf("%s: %v", owner, err)
		}
		want := fmt.Sprintf("value-%d", i)
		if len(r.Answer) != 1 || r.Answer[0].(*dns.TXT).Txt[0] != want {
			t.Fatalf("%s: got %v, want one TXT %q", owner, r.Answer, want)
		}
	}
}

// A reload on the embedded store hands the file lock to the new instance.
func TestEmbeddedReload(t *testing.T) {
	cf := strings.Replace(embeddedCorefile, "bind 127.0.0.1", "bind 127.0.0.1\n    reload 2s 1s", 1)
	n := nodetest.Start(t, cf)
	if got := soaQuery(t, n, "udp").Answer[0].Header().Ttl; got != 60 {
		t.Fatalf("before reload: got SOA TTL %d, want 60", got)
	}

	path := filepath.Join(n.Dir, "Corefile")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "db ", "ttl 42\n        db ", 1))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(15 * time.Second)
	for soaQuery(t, n, "udp").Answer[0].Header().Ttl != 42 {
		if time.Now().After(deadline) {
			t.Fatalf("no reload to ttl 42 within 15s:\n%s", n.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	q := new(dns.Msg)
	q.SetQuestion("nobody.example.org.", dns.TypeTXT)
	r, err := n.Exchange(q, "udp")
	if err != nil || r.Rcode != dns.RcodeNameError {
		t.Fatalf("after reload: got %v, %v; want NXDOMAIN from the reopened store", r, err)
	}
}
