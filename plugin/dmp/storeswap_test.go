package dmp

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/coredns/coredns/plugin/test"
	"github.com/miekg/dns"
)

// wireWriter keeps the last reply, written as a message or as bytes.
type wireWriter struct {
	test.ResponseWriter
	msg *dns.Msg
}

func (w *wireWriter) WriteMsg(m *dns.Msg) error { w.msg = m; return nil }

func (w *wireWriter) Write(b []byte) (int, error) {
	w.msg = new(dns.Msg)
	return len(b), w.msg.Unpack(b)
}

// startedBolt is a dmp started as CoreDNS starts it, on an embedded store
// in a fresh directory.
func startedBolt(t *testing.T) *Dmp {
	t.Helper()
	d := New()
	d.Zones = []string{"example.org."}
	d.useBolt(filepath.Join(t.TempDir(), "dmp.db"))
	if err := d.OnStartup(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.OnShutdown() })
	return d
}

// A reload that fails after the embedded store was released reopens it
// while queries run (run under -race), and the write side, which got the
// store at start, writes to the reopened one.
func TestRestartFailedSwapsStore(t *testing.T) {
	d := startedBolt(t)
	ctx := context.Background()
	owner := "chunk-0001-0123456789ab.example.org."
	add := store.Update{Zone: "example.org.", Changes: []store.Change{{Op: store.OpAdd,
		Owner: owner, Value: "v=dmp1;t=chunk", TTL: time.Hour}}}
	if err := d.Store.Apply(ctx, add, time.Now()); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var answered atomic.Int64
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				if queryTXT(t, d, owner) == dns.RcodeSuccess {
					answered.Add(1)
				}
				d.Ready()
			}
		})
	}
	for range 20 {
		if err := d.onRestart(); err != nil {
			t.Fatal(err)
		}
		if err := d.onRestartFailed(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()

	if answered.Load() == 0 {
		t.Fatal("no query answered while the store was swapped")
	}
	if rc := queryTXT(t, d, owner); rc != dns.RcodeSuccess {
		t.Fatalf("after the swaps: got %s, want NOERROR", dns.RcodeToString[rc])
	}
	checkWriteSideStore(t, d)
}

// queryTXT asks d for owner's TXT and returns the rcode of the reply.
func queryTXT(t *testing.T, d *Dmp, owner string) int {
	q := new(dns.Msg)
	q.SetQuestion(owner, dns.TypeTXT)
	w := &wireWriter{}
	rc, err := d.ServeDNS(context.Background(), w, q)
	if err != nil || w.msg == nil {
		return rc
	}
	if w.msg.Rcode == dns.RcodeSuccess && len(w.msg.Answer) != 1 {
		t.Errorf("got %d answers, want 1", len(w.msg.Answer))
	}
	return w.msg.Rcode
}

// checkWriteSideStore sends d a signed UPDATE and wants it applied: the
// TSIG key is read, the MAC recorded and the value stored through the
// store the write side was given at start.
func checkWriteSideStore(t *testing.T, d *Dmp) {
	t.Helper()
	const name, secret = "alice.example.org.", "c3dhcC1zdG9yZS10ZXN0LXNlY3JldC0xMjM0NTY3OA=="
	key := store.Key{Name: name, Algorithm: dns.HmacSHA256, Secret: secret,
		Scope: []string{"example.org"}}
	if err := d.Store.PutKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	owner := "chunk-0002-0123456789ab.example.org."
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT,
		Class: dns.ClassINET, Ttl: 300}, Txt: []string{chunkWire(t)}}})
	wire, _ := signAs(t, name, secret, m, time.Now())
	r := new(dns.Msg)
	if err := r.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	w := &wireWriter{}
	if _, err := d.ServeDNS(context.Background(), w, r); err != nil || w.msg == nil {
		t.Fatalf("UPDATE: got %v, reply %v", err, w.msg)
	}
	if w.msg.Rcode != dns.RcodeSuccess {
		t.Fatalf("UPDATE after the swaps: got %s, want NOERROR", dns.RcodeToString[w.msg.Rcode])
	}
	if rc := queryTXT(t, d, owner); rc != dns.RcodeSuccess {
		t.Fatalf("value written after the swaps: got %s, want NOERROR",
			dns.RcodeToString[rc])
	}
}

// chunkWire is a chunk record, which the write side accepts at a chunk
// owner name.
func chunkWire(t *testing.T) string {
	t.Helper()
	w, err := records.EncodeChunk(make([]byte, records.ChunkSize))
	if err != nil {
		t.Fatal(err)
	}
	return w
}
