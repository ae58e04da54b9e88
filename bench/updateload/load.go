package main

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/miekg/dns"
)

// result is what one load run measured.
type result struct {
	ok, failed int
	elapsed    time.Duration
	latencies  []time.Duration
	firstErr   error
	owners     []string // owners written by an update run
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// median returns the median latency of the successful operations.
func (r result) median() time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[len(s)/2]
}

// op is one request of a worker: its sequence number in, an error out.
type op func(c *dns.Client, worker, seq int) (owner string, err error)

// run calls op from workers goroutines until d has passed.
func run(workers int, d time.Duration, f op) result {
	var mu sync.Mutex
	var res result
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
			for seq := 0; time.Now().Before(deadline); seq++ {
				t0 := time.Now()
				owner, err := f(c, w, seq)
				lat := time.Since(t0)
				mu.Lock()
				if err != nil {
					res.failed++
					if res.firstErr == nil {
						res.firstErr = err
					}
				} else {
					res.ok++
					res.latencies = append(res.latencies, lat)
					res.owners = append(res.owners, owner)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// updateOp sends one TSIG-signed UPDATE adding one chunk record at a new
// owner name, as `dnsmesh send` does for every chunk of a message, and
// checks that the node accepted it with a signed NOERROR.
func updateOp(n *node) op {
	secrets := map[string]string{n.keyName: n.secret}
	return func(c *dns.Client, w, seq int) (string, error) {
		c.TsigSecret = secrets
		data := make([]byte, records.ChunkSize)
		_, _ = rand.Read(data)
		value, err := records.EncodeChunk(data)
		if err != nil {
			return "", err
		}
		owner := names.Chunk(0, fmt.Sprintf("%04x%08x", w, seq), zone)
		m := new(dns.Msg)
		m.SetUpdate(zone + ".")
		m.Insert([]dns.RR{&dns.TXT{
			Hdr: dns.RR_Header{Name: owner + ".", Rrtype: dns.TypeTXT,
				Class: dns.ClassINET, Ttl: 600},
			Txt: []string{value},
		}})
		m.SetTsig(n.keyName, dns.HmacSHA256, 300, time.Now().Unix())
		r, _, err := c.Exchange(m, n.dns)
		if err != nil {
			return "", fmt.Errorf("update: %w", err)
		}
		if r.Rcode != dns.RcodeSuccess {
			return "", fmt.Errorf("update: rcode %s", dns.RcodeToString[r.Rcode])
		}
		if r.IsTsig() == nil {
			return "", fmt.Errorf("update: reply not signed")
		}
		return owner, nil
	}
}

// queryOp asks for the TXT RRset of one of owners, cycling through them,
// and checks that it has one record.
func queryOp(n *node, owners []string) op {
	return func(c *dns.Client, w, seq int) (string, error) {
		owner := owners[(w*7919+seq)%len(owners)]
		m := new(dns.Msg)
		m.SetQuestion(owner+".", dns.TypeTXT)
		r, _, err := c.Exchange(m, n.dns)
		if err != nil {
			return "", fmt.Errorf("query: %w", err)
		}
		if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
			return "", fmt.Errorf("query %s: rcode %s, %d answers", owner,
				dns.RcodeToString[r.Rcode], len(r.Answer))
		}
		return owner, nil
	}
}
