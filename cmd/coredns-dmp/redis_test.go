package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/redisstore"

	"github.com/miekg/dns"
	"github.com/redis/go-redis/v9"
)

// redisCorefile serves example.org from Redis at REDIS, inside a root
// server block so that names outside the zone reach dmp too.
const redisCorefile = `.:{{PORT}} {
    bind 127.0.0.1
    errors
    ready 127.0.0.1:{{HTTP}} {
        monitor continuously
    }
    dmp example.org {
        redis redis://REDIS
        ns ns1.example.org
        address 192.0.2.53
        EXTRA
    }
}
`

// startRedisNode starts Redis and a node on it; extra goes into the dmp
// block. It returns the node and a store on the same Redis.
func startRedisNode(t *testing.T, extra string) (*nodetest.Node, *redistest.Server, store.Store) {
	t.Helper()
	srv := redistest.Start(t)
	s := redisstore.New(redis.NewClient(&redis.Options{Addr: srv.Addr()}))
	t.Cleanup(func() { s.Close() })
	cf := strings.NewReplacer("REDIS", srv.Addr(), "EXTRA", extra).Replace(redisCorefile)
	return nodetest.Start(t, cf), srv, s
}

func TestDigAndKdig(t *testing.T) {
	n, _, s := startRedisNode(t, "")
	seedValues(t, s,
		add("slot-0.mb-0123456789ab.example.org.", "hello-dmp"),
		add("multi.example.org.", "one"), add("multi.example.org.", "two"),
	)
	for i := range 12 {
		v := fmt.Sprintf("%02d%s", i, strings.Repeat("b", 200))
		seedValues(t, s, add("big.example.org.", v))
	}

	cases := []struct {
		name, qname, qtype string
		status             string
		aa                 bool
		answers            int
		contains           string // in the output
	}{
		{"txt", "slot-0.mb-0123456789ab.example.org", "TXT", "NOERROR", true, 1, `"hello-dmp"`},
		{"txt rrset", "multi.example.org", "TXT", "NOERROR", true, 2, `"two"`},
		{"question case", "SLOT-0.Mb-0123456789AB.example.org", "TXT", "NOERROR", true, 1,
			"SLOT-0.Mb-0123456789AB.example.org."},
		{"empty non-terminal", "mb-0123456789ab.example.org", "TXT", "NOERROR", true, 0, "SOA"},
		{"nxdomain", "nobody.example.org", "TXT", "NXDOMAIN", true, 0, "SOA"},
		{"apex soa", "example.org", "SOA", "NOERROR", true, 1, "hostmaster.example.org."},
		{"apex ns", "example.org", "NS", "NOERROR", true, 1, "ns1.example.org."},
		{"apex a", "example.org", "A", "NOERROR", true, 1, "192.0.2.53"},
		{"apex aaaa nodata", "example.org", "AAAA", "NOERROR", true, 0, "SOA"},
		{"outside the zone", "example.com", "TXT", "REFUSED", false, 0, ""},
		{"big rrset", "big.example.org", "TXT", "NOERROR", true, 12, `"11bbbb`},
	}
	for _, tool := range []string{"dig", "kdig"} {
		for _, transport := range []string{"notcp", "tcp"} {
			for _, c := range cases {
				t.Run(tool+"/"+transport+"/"+c.name, func(t *testing.T) {
					l := query(t, tool, n.Addr, c.qname, c.qtype, "+"+transport, "+bufsize=4096")
					if l.status != c.status || l.hasFlag("aa") != c.aa || l.answers != c.answers {
						t.Errorf("got %s aa=%v answers=%d, want %s aa=%v answers=%d\n%s",
							l.status, l.hasFlag("aa"), l.answers, c.status, c.aa, c.answers, l.out)
					}
					// kdig prints names in lower case whatever the wire says.
					if tool == "kdig" && c.name == "question case" {
						return
					}
					if !strings.Contains(l.out, c.contains) {
						t.Errorf("got output without %q:\n%s", c.contains, l.out)
					}
				})
			}
		}
	}

	for _, tool := range []string{"dig", "kdig"} {
		t.Run(tool+"/udp truncates", func(t *testing.T) {
			l := query(t, tool, n.Addr, "big.example.org", "TXT", "+notcp", "+ignore",
				"+bufsize=512")
			if !l.hasFlag("tc") || l.answers >= 12 {
				t.Errorf("got flags %q with %d answers, want tc and fewer than 12\n%s",
					l.flags, l.answers, l.out)
			}
		})
	}
}

func TestZoneTransferRefused(t *testing.T) {
	n, _, _ := startRedisNode(t, "")
	for _, qtype := range []uint16{dns.TypeAXFR, dns.TypeIXFR} {
		q := new(dns.Msg)
		q.SetQuestion("example.org.", qtype)
		r, err := n.Exchange(q, "tcp")
		if err != nil {
			t.Fatalf("%s: %v", dns.TypeToString[qtype], err)
		}
		if r.Rcode != dns.RcodeRefused {
			t.Errorf("%s: got %s, want REFUSED",
				dns.TypeToString[qtype], dns.RcodeToString[r.Rcode])
		}
	}
}

// readyStatus returns the HTTP status of the node's /ready endpoint.
func readyStatus(t *testing.T, n *nodetest.Node) int {
	t.Helper()
	resp, err := http.Get("http://" + n.HTTP + "/ready")
	if err != nil {
		t.Fatalf("ready: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// txtRcode asks for name's TXT over UDP and returns the rcode and the
// number of answers.
func txtRcode(t *testing.T, n *nodetest.Node, name string) (int, int) {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(name, dns.TypeTXT)
	r, err := n.Exchange(q, "udp")
	if err != nil {
		t.Fatalf("TXT %s: %v", name, err)
	}
	return r.Rcode, len(r.Answer)
}

func TestRedisDownAndBack(t *testing.T) {
	n, srv, s := startRedisNode(t, "")
	seedValues(t, s, add("a.example.org.", "v"))
	if rc, na := txtRcode(t, n, "a.example.org."); rc != dns.RcodeSuccess || na != 1 {
		t.Fatalf("before: got %s with %d answers, want NOERROR with 1", dns.RcodeToString[rc], na)
	}
	if got := readyStatus(t, n); got != http.StatusOK {
		t.Fatalf("before: got ready %d, want 200", got)
	}

	srv.Stop()
	queryWhileDown(t, n)
	if got := readyStatus(t, n); got != http.StatusServiceUnavailable {
		t.Errorf("redis down: got ready %d, want 503", got)
	}
	if c := strings.Count(n.Output(), "answering SERVFAIL"); c != 1 {
		t.Errorf("redis down: got the outage logged %d times, want once:\n%s", c, n.Output())
	}
	if c := strings.Count(n.Output(), "available again"); c != 0 {
		t.Errorf("redis down: got %d recoveries logged, want none:\n%s", c, n.Output())
	}

	srv.Restart()
	deadline := time.Now().Add(15 * time.Second)
	for {
		rc, na := txtRcode(t, n, "a.example.org.")
		if rc == dns.RcodeSuccess && na == 1 && readyStatus(t, n) == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis back: still %s with %d answers after 15s", dns.RcodeToString[rc], na)
		}
		time.Sleep(200 * time.Millisecond)
	}
	out := n.Output()
	if c := strings.Count(out, "answering SERVFAIL"); c != 1 {
		t.Errorf("got the outage logged %d times, want once:\n%s", c, out)
	}
	if c := strings.Count(out, "available again"); c != 1 {
		t.Errorf("got the recovery logged %d times, want once:\n%s", c, out)
	}
}

// queryWhileDown sends TXT, SOA, TXT, TXT to a node whose Redis is down:
// the TXT queries get SERVFAIL and the apex SOA, which needs no store,
// still answers without reading as a recovery of the store.
func queryWhileDown(t *testing.T, n *nodetest.Node) {
	t.Helper()
	for i, qtype := range []uint16{dns.TypeTXT, dns.TypeSOA, dns.TypeTXT, dns.TypeTXT} {
		var rc int
		want := dns.RcodeServerFailure
		if qtype == dns.TypeSOA {
			rc, want = soaQuery(t, n, "udp").Rcode, dns.RcodeSuccess
		} else {
			rc, _ = txtRcode(t, n, "a.example.org.")
		}
		if rc != want {
			t.Errorf("redis down: query %d (%s): got %s, want %s", i,
				dns.TypeToString[qtype], dns.RcodeToString[rc], dns.RcodeToString[want])
		}
	}
}

// A node on a three-master Redis Cluster answers what was written through
// a cluster client (DECISIONS N9, N13).
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node Redis Cluster")
	}
	cl := redistest.StartCluster(t)
	addrs := cl.Addrs()
	s := redisstore.New(redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs}))
	t.Cleanup(func() { s.Close() })
	seedValues(t, s, add("slot-1.mb-aaaaaaaaaaaa.example.org.", "on-cluster"))

	url := "redis://" + addrs[0] + "?addr=" + strings.Join(addrs[1:], "&addr=")
	cf := strings.NewReplacer("redis://REDIS", "cluster "+url, "EXTRA", "").Replace(redisCorefile)
	n := nodetest.Start(t, cf)
	for _, network := range []string{"+notcp", "+tcp"} {
		l := query(t, "dig", n.Addr, "slot-1.mb-aaaaaaaaaaaa.example.org", "TXT", network)
		if l.status != "NOERROR" || l.answers != 1 || !strings.Contains(l.out, `"on-cluster"`) {
			t.Errorf("%s: got %s with %d answers, want the value\n%s", network, l.status,
				l.answers, l.out)
		}
	}
}
