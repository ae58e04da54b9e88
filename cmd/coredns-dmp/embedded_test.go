package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/miekg/dns"
)

const embeddedCorefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    dmp {
        db {{DIR}}/dmp.db
    }
}
`

// Every UPDATE the node acknowledged survives SIGKILL: a writer streams
// signed UPDATEs over UDP while the node is killed at random moments and
// restarted; an UPDATE counts as acknowledged when a NOERROR reply with a
// valid TSIG came back. At the end every acknowledged value is served,
// and again after a kill while serving reads.
func TestEmbeddedSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	nodetest.PutKeys(t, filepath.Join(dir, "dmp.db"), killKey)
	n := nodetest.StartIn(t, dir, embeddedCorefile)

	seed := time.Now().UnixNano()
	t.Logf("kill schedule seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	w := startWriter(t, n.Addr)
	const kills = 6
	for range kills {
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		n.Kill()
		n.Restart()
	}
	time.Sleep(200 * time.Millisecond) // writes after the last restart
	acked, sent := w.stop()

	t.Logf("%d UPDATEs sent, %d acknowledged, %d kills", sent, len(acked), kills)
	if len(acked) < 20 {
		t.Fatalf("got %d acknowledged UPDATEs, want at least 20", len(acked))
	}
	checkAll(t, n, acked)
	n.Kill() // a crash while serving reads
	n.Restart()
	checkAll(t, n, acked)
}

// killKey is the writer's TSIG key, scoped to chunk names.
var killKey = store.Key{Name: "writer.example.org.", Algorithm: dns.HmacSHA256,
	Secret: "a2lsbC10ZXN0LXdyaXRlci1zZWNyZXQtMzItYnl0ZXM=",
	Scope:  []string{"chunk-*-*.example.org"}}

// writer streams signed UPDATEs, one new chunk name each, and remembers
// the acknowledged ones.
type writer struct {
	done  chan struct{}
	wg    sync.WaitGroup
	acked map[string]string // owner → value
	sent  int
}

func startWriter(t *testing.T, addr string) *writer {
	w := &writer{done: make(chan struct{}), acked: map[string]string{}}
	c := &dns.Client{Net: "udp", Timeout: 500 * time.Millisecond,
		TsigSecret: map[string]string{killKey.Name: killKey.Secret}}
	w.wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-w.done:
				return
			default:
			}
			owner, value := fmt.Sprintf("chunk-0001-%012x.example.org.", i), chunkRecord(t, i)
			w.sent++
			if signedAck(c, addr, owner, value) {
				w.acked[owner] = value
			} else {
				time.Sleep(20 * time.Millisecond) // the node is down
			}
		}
	})
	return w
}

// stop ends the stream and returns the acknowledged values and the count
// of UPDATEs sent.
func (w *writer) stop() (map[string]string, int) {
	close(w.done)
	w.wg.Wait()
	return w.acked, w.sent
}

// signedAck sends one UPDATE adding value at owner and reports whether the
// node acknowledged it: NOERROR in a reply whose TSIG verified (Exchange
// checks a reply's TSIG against the request's MAC when one is present).
func signedAck(c *dns.Client, addr, owner, value string) bool {
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT,
		Class: dns.ClassINET, Ttl: 3600}, Txt: []string{value}}})
	m.SetTsig(killKey.Name, killKey.Algorithm, 300, time.Now().Unix())
	r, _, err := c.Exchange(m, addr)
	return err == nil && r.Rcode == dns.RcodeSuccess && r.IsTsig() != nil
}

// chunkRecord is a valid chunk record unique to i.
func chunkRecord(t *testing.T, i int) string {
	data := make([]byte, records.ChunkSize)
	binary.BigEndian.PutUint64(data, uint64(i))
	v, err := records.EncodeChunk(data)
	if err != nil {
		t.Error(err)
	}
	return v
}

func checkAll(t *testing.T, n *nodetest.Node, want map[string]string) {
	t.Helper()
	for owner, value := range want {
		q := new(dns.Msg)
		q.SetQuestion(owner, dns.TypeTXT)
		r, err := n.Exchange(q, "udp")
		if err != nil {
			t.Fatalf("%s: %v", owner, err)
		}
		if len(r.Answer) != 1 || strings.Join(r.Answer[0].(*dns.TXT).Txt, "") != value {
			t.Fatalf("%s: got %v, want one TXT %q", owner, r.Answer, value)
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
