package dmp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/proctest"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/redisstore"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/miekg/dns"
	"github.com/redis/go-redis/v9"
)

// redisNodeCorefile serves example.org from the Redis of the `redis` line
// REDIS, with extra sub-options SUB.
const redisNodeCorefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    ready 127.0.0.1:{{HTTP}}
    dmp {
        redis REDIS
    }
}
`

func redisCorefile(redisArgs string) string {
	return strings.Replace(redisNodeCorefile, "REDIS", redisArgs, 1)
}

// chunkAt returns the owner and value of chunk number i of one message.
func chunkAt(t *testing.T, i int) (string, string) {
	t.Helper()
	data := make([]byte, records.ChunkSize)
	copy(data, fmt.Sprintf("redis node test chunk %d", i))
	v, err := records.EncodeChunk(data)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("chunk-%04d-0123456789ab.example.org.", i), v
}

// txtAnswer returns the TXT values the node answers at owner, and the rcode.
func txtAnswer(t *testing.T, n *nodetest.Node, owner string) ([]string, int) {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(owner, dns.TypeTXT)
	r, err := n.Exchange(q, "udp")
	if err != nil {
		t.Fatalf("TXT %s: %v", owner, err)
	}
	var out []string
	for _, rr := range r.Answer {
		if tx, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(tx.Txt, ""))
		}
	}
	return out, r.Rcode
}

// update sends a signed UPDATE adding value at owner over TCP and returns
// the rcode.
func update(t *testing.T, n *nodetest.Node, k userKey, owner, value string) int {
	t.Helper()
	r, _ := exchangeRaw(t, "tcp", n.Addr, signedUpdate(t, k, owner, value))
	return r.Rcode
}

// ready returns the HTTP status of the node's /ready endpoint.
func ready(t *testing.T, n *nodetest.Node) int {
	t.Helper()
	resp, err := http.Get("http://" + n.HTTP + "/ready")
	if err != nil {
		t.Fatalf("ready: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// seed stores k and one value through s.
func seed(t *testing.T, s store.Store, k userKey, owner, value string) {
	t.Helper()
	ctx := context.Background()
	if err := s.PutKey(ctx, k.Key); err != nil {
		t.Fatalf("PutKey: %v", err)
	}
	u := store.Update{Zone: "example.org.", Changes: []store.Change{{Op: store.OpAdd,
		Owner: owner, Value: value, TTL: time.Hour}}}
	if err := s.Apply(ctx, u, time.Now()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// TestSentinelNode runs a node on `redis sentinel`: it serves what was
// written directly and by UPDATE, and after SENTINEL FAILOVER it keeps
// serving and accepting UPDATEs on the promoted replica (DECISIONS N9).
func TestSentinelNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five redis-server processes and coredns-dmp")
	}
	sn := redistest.StartSentinel(t)
	s := redisstore.New(redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: sn.Addrs(), MasterName: redistest.MasterName}))
	t.Cleanup(func() { s.Close() })
	k := newUserKey(t)
	seeded, seedValue := chunkAt(t, 1)
	seed(t, s, k, seeded, seedValue)
	n := nodetest.Start(t, redisCorefile("sentinel "+sn.URL()))

	before, beforeValue := chunkAt(t, 2)
	if rc := update(t, n, k, before, beforeValue); rc != dns.RcodeSuccess {
		t.Fatalf("UPDATE before failover: got %s, want NOERROR", dns.RcodeToString[rc])
	}
	wantServed(t, n, seeded, seedValue)
	wantServed(t, n, before, beforeValue)

	sn.Failover()
	if got, _ := sn.MasterAddr(); got != sn.Replica.Addr() {
		t.Fatalf("master after failover: got %s, want the former replica %s", got,
			sn.Replica.Addr())
	}
	after, afterValue := chunkAt(t, 3)
	deadline := time.Now().Add(20 * time.Second)
	for {
		rc := update(t, n, k, after, afterValue)
		if rc == dns.RcodeSuccess {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("UPDATE after failover: still %s after 20s", dns.RcodeToString[rc])
		}
		time.Sleep(200 * time.Millisecond)
	}
	for owner, value := range map[string]string{seeded: seedValue, before: beforeValue,
		after: afterValue} {
		wantServed(t, n, owner, value)
	}
	promoted := redis.NewClient(&redis.Options{Addr: sn.Replica.Addr()})
	defer promoted.Close()
	key := "dmp:{example.org.}:rr:" + after
	if _, err := promoted.ZScore(context.Background(), key, afterValue).Result(); err != nil {
		t.Errorf("value written after failover on the promoted master: %v", err)
	}
	if got := ready(t, n); got != http.StatusOK {
		t.Errorf("ready after failover: got %d, want 200", got)
	}
}

func wantServed(t *testing.T, n *nodetest.Node, owner, value string) {
	t.Helper()
	got, rc := txtAnswer(t, n, owner)
	if rc != dns.RcodeSuccess || len(got) != 1 || got[0] != value {
		t.Errorf("TXT %s: got %s %d values, want NOERROR with the value",
			owner, dns.RcodeToString[rc], len(got))
	}
}

// TestRedisTLSPassword runs nodes on a TLS-only Redis that needs a
// password: with the right password and its CA named by tls_ca the node
// serves and is ready; with a wrong password, or without the CA, it
// starts, logs why, answers SERVFAIL and is not ready.
func TestRedisTLSPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and coredns-dmp")
	}
	const password = "node-secret"
	srv := redistest.StartWith(t, redistest.Options{TLS: true, Password: password})
	s := redisstore.New(redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: password,
		TLSConfig: srv.TLSConfig()}))
	t.Cleanup(func() { s.Close() })
	k := newUserKey(t)
	owner, value := chunkAt(t, 1)
	seed(t, s, k, owner, value)
	withCA := func(url string) string {
		return url + " {\n            tls_ca " + srv.CAFile() + "\n        }"
	}

	t.Run("right password", func(t *testing.T) {
		n := nodetest.Start(t, redisCorefile(withCA(srv.URL())))
		wantServed(t, n, owner, value)
		added, addedValue := chunkAt(t, 2)
		if rc := update(t, n, k, added, addedValue); rc != dns.RcodeSuccess {
			t.Fatalf("UPDATE: got %s, want NOERROR", dns.RcodeToString[rc])
		}
		wantServed(t, n, added, addedValue)
		if got := ready(t, n); got != http.StatusOK {
			t.Errorf("ready: got %d, want 200", got)
		}
	})
	dead := deadRedisAddr(t)
	bad := []struct{ name, redis, addr, log string }{
		{"wrong password", withCA("rediss://:not-the-secret@" + srv.Addr()), srv.Addr(),
			"authentication failed, check the user and password in the redis URL"},
		{"no password", withCA("rediss://" + srv.Addr()), srv.Addr(),
			"authentication failed, check the user and password in the redis URL"},
		{"CA not named", srv.URL(), srv.Addr(),
			"TLS certificate not trusted, name its CA with tls_ca"},
		{"not running", "redis://" + dead, dead, "not reachable"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			n := nodetest.Start(t, redisCorefile(b.redis))
			wantLog(t, n, "[ERROR] plugin/dmp: redis standalone ["+b.addr+"]: "+b.log+
				"; answering SERVFAIL until it is back: ")
			if _, rc := txtAnswer(t, n, owner); rc != dns.RcodeServerFailure {
				t.Errorf("TXT: got %s, want SERVFAIL", dns.RcodeToString[rc])
			}
			if got := ready(t, n); got != http.StatusServiceUnavailable {
				t.Errorf("ready: got %d, want 503", got)
			}
			wantOneOutageLine(t, n.Output())
			if strings.Contains(n.Output(), "not-the-secret") ||
				strings.Contains(n.Output(), "panic") {
				t.Errorf("log shows the password or a panic:\n%s", n.Output())
			}
		})
	}
}

// deadRedisAddr returns a loopback address where nothing listens.
func deadRedisAddr(t *testing.T) string {
	t.Helper()
	port, err := proctest.FreePort(nil)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// wantOneOutageLine checks that out logs exactly one error line, the
// outage, after a startup check, a failed query and a failed ready probe.
func wantOneOutageLine(t *testing.T, out string) {
	t.Helper()
	if c := strings.Count(out, "[ERROR]"); c != 1 {
		t.Errorf("got %d error lines, want the outage logged once:\n%s", c, out)
	}
	if c := strings.Count(out, "available again"); c != 0 {
		t.Errorf("got %d recoveries logged, want none:\n%s", c, out)
	}
}

// wantLog waits up to 10 s for the node to log text.
func wantLog(t *testing.T, n *nodetest.Node, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(n.Output(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("log without %q:\n%s", text, n.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
