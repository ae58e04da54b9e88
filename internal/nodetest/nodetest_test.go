package nodetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/miekg/dns"
)

const corefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    dmp {
        db {{DIR}}/dmp.db
    }
}
`

func TestStartKillRestart(t *testing.T) {
	n := Start(t, corefile)
	soa := func() {
		t.Helper()
		q := new(dns.Msg)
		q.SetQuestion("example.org.", dns.TypeSOA)
		for _, network := range []string{"udp", "tcp"} {
			r, err := n.Exchange(q, network)
			if err != nil {
				t.Fatalf("%s: %v", network, err)
			}
			if len(r.Answer) != 1 {
				t.Fatalf("%s: got %d answers, want 1", network, len(r.Answer))
			}
		}
	}
	soa()
	if _, err := os.Stat(filepath.Join(n.Dir, "dmp.db")); err != nil {
		t.Fatalf("store file: %v", err)
	}

	n.Kill()
	q := new(dns.Msg)
	q.SetQuestion("example.org.", dns.TypeSOA)
	if _, err := n.Exchange(q, "tcp"); err == nil {
		t.Fatal("killed node still answers over TCP")
	}

	n.Restart()
	soa()
}
