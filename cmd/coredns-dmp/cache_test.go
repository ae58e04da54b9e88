package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store/redisstore"

	"github.com/redis/go-redis/v9"
)

// cacheCorefile puts CoreDNS's cache in front of dmp; CACHE is empty or
// dmp's "cache" option.
const cacheCorefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    prometheus 127.0.0.1:{{HTTP}}
    cache 300
    dmp {
        redis redis://REDIS
        ttl 300
        CACHE
    }
}
`

// A write to the store is visible at once by default, and hidden behind
// the cache only when the Corefile allows caching (DECISIONS N14).
func TestCacheBypass(t *testing.T) {
	cases := []struct {
		name   string
		option string
		want   int // answers after the second write
	}{
		{"bypass by default", "", 2},
		{"caching allowed", "cache", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := redistest.Start(t)
			s := redisstore.New(redis.NewClient(&redis.Options{Addr: srv.Addr()}))
			defer s.Close()
			cf := strings.NewReplacer("REDIS", srv.Addr(), "CACHE", c.option).Replace(cacheCorefile)
			n := nodetest.Start(t, cf)

			seedValues(t, s, add("m.example.org.", "first"))
			if _, na := txtRcode(t, n, "m.example.org."); na != 1 {
				t.Fatalf("got %d answers after the first write, want 1", na)
			}
			seedValues(t, s, add("m.example.org.", "second"))
			if _, na := txtRcode(t, n, "m.example.org."); na != c.want {
				t.Errorf("got %d answers after the second write, want %d", na, c.want)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	srv := redistest.Start(t)
	s := redisstore.New(redis.NewClient(&redis.Options{Addr: srv.Addr()}))
	defer s.Close()
	seedValues(t, s, add("a.example.org.", "1"), add("a.example.org.", "2"),
		add("b.example.org.", "3"))
	n := nodetest.Start(t, strings.NewReplacer("REDIS", srv.Addr(), "CACHE", "").
		Replace(cacheCorefile))

	txtRcode(t, n, "a.example.org.")
	txtRcode(t, n, "nobody.example.org.")
	body := scrape(t, n)

	for _, want := range []string{
		`coredns_dmp_queries_total{result="answer",server="dns://127.0.0.1:\d+",type="TXT"} 1`,
		`coredns_dmp_queries_total{result="nxdomain",server="dns://127.0.0.1:\d+",type="TXT"} 1`,
		`coredns_dmp_store_duration_seconds_count{op="lookup"} [1-9]`,
		`coredns_dmp_stored_values{zone="example.org."} 3`,
	} {
		if !regexp.MustCompile(want).MatchString(body) {
			t.Errorf("got metrics without %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", grepLines(body, "coredns_dmp_"))
	}
}

// scrape returns the node's metrics, served on its {{HTTP}} port.
func scrape(t *testing.T, n *nodetest.Node) string {
	t.Helper()
	return get(t, "http://"+n.HTTP+"/metrics")
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
