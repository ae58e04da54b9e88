// Command updateload measures signed DNS UPDATE throughput of coredns-dmp
// on the embedded bbolt store and on Redis, next to plain TXT queries of
// the same records, in one run.
//
// It builds coredns-dmp (or takes -bin), starts a redis-server and two
// nodes on loopback, adds one TSIG key to each through the admin endpoint,
// then, for -rounds rounds, sends UPDATEs from -c concurrent UDP clients
// for -duration per node (each UPDATE adds one 241-byte chunk record at a
// new owner name, signed with hmac-sha256; the node's signed NOERROR
// counts) and queries the written records for as long. The best round of
// each measurement is reported, with the ratios between them.
//
// Usage: go run ./bench/updateload [-duration 5s] [-c 4] [-rounds 2]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

const zone = "bench.example"

func main() {
	d := flag.Duration("duration", 5*time.Second, "length of each measurement")
	workers := flag.Int("c", 4, "concurrent clients")
	rounds := flag.Int("rounds", 2, "rounds; the best of each is reported")
	bin := flag.String("bin", "", "coredns-dmp binary (default: go build it)")
	flag.Parse()
	if err := bench(*bin, *d, *workers, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "updateload: error:", err)
		os.Exit(1)
	}
}

// measurement is the best result of one node and mode over the rounds.
type measurement struct {
	node, mode string
	best       result
}

func bench(bin string, d time.Duration, workers, rounds int) error {
	work, err := os.MkdirTemp("", "updateload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if bin == "" {
		bin = filepath.Join(work, "coredns-dmp")
		out, err := exec.Command("go", "build", "-o", bin,
			"github.com/dnsmesh/dmp/cmd/coredns-dmp").CombinedOutput()
		if err != nil {
			return fmt.Errorf("go build coredns-dmp: %v\n%s", err, out)
		}
	}
	redis, redisAddr, err := startRedis(work)
	if err != nil {
		return err
	}
	defer redis.stop()

	nodes, err := startNodes(bin, work, redisAddr)
	for _, n := range nodes {
		defer n.proc.stop()
	}
	if err != nil {
		return err
	}

	ms, err := measure(nodes, d, workers, rounds)
	if err != nil {
		return err
	}
	report(ms, d, workers, rounds)
	return nil
}

func startNodes(bin, work, redisAddr string) ([]*node, error) {
	bolt, err := startNode(bin, filepath.Join(work, "bolt"), "bolt",
		"db "+filepath.Join(work, "bolt", "dmp.db"))
	if err != nil {
		return nil, err
	}
	red, err := startNode(bin, filepath.Join(work, "redis"), "redis",
		"redis standalone redis://"+redisAddr)
	if err != nil {
		return []*node{bolt}, err
	}
	return []*node{bolt, red}, nil
}

// measure runs every round: per node, UPDATEs, then queries of the names
// the UPDATEs wrote.
func measure(nodes []*node, d time.Duration, workers, rounds int) ([]*measurement, error) {
	var ms []*measurement
	get := func(node, mode string) *measurement {
		for _, m := range ms {
			if m.node == node && m.mode == mode {
				return m
			}
		}
		m := &measurement{node: node, mode: mode}
		ms = append(ms, m)
		return m
	}
	for round := 1; round <= rounds; round++ {
		for _, n := range nodes {
			up := run(workers, d, updateOp(n))
			fmt.Fprintf(os.Stderr, "round %d %-5s update: %7.0f/s (%d failed)\n",
				round, n.name, up.rate(), up.failed)
			if up.ok == 0 || up.failed > up.ok/100 {
				return nil, fmt.Errorf("%s: %d of %d UPDATEs failed, first: %v\n%s",
					n.name, up.failed, up.ok+up.failed, up.firstErr, n.proc.out.String())
			}
			q := run(workers, d, queryOp(n, up.owners))
			fmt.Fprintf(os.Stderr, "round %d %-5s query:  %7.0f/s (%d failed)\n",
				round, n.name, q.rate(), q.failed)
			if q.failed > q.ok/100 {
				return nil, fmt.Errorf("%s: %d queries failed, first: %v",
					n.name, q.failed, q.firstErr)
			}
			for _, p := range []struct {
				mode string
				r    result
			}{{"update", up}, {"query", q}} {
				if m := get(n.name, p.mode); p.r.rate() > m.best.rate() {
					m.best = p.r
				}
			}
		}
	}
	return ms, nil
}

func report(ms []*measurement, d time.Duration, workers, rounds int) {
	fmt.Printf("updateload: %d UDP clients, %v per measurement, best of %d rounds, "+
		"GOMAXPROCS %d\n\n", workers, d, rounds, runtime.GOMAXPROCS(0))
	fmt.Printf("%-6s %-7s %10s %12s\n", "store", "op", "per second", "median (ms)")
	rate := map[string]float64{}
	for _, m := range ms {
		fmt.Printf("%-6s %-7s %10.0f %12.2f\n", m.node, m.mode, m.best.rate(),
			float64(m.best.median().Microseconds())/1000)
		rate[m.node+" "+m.mode] = m.best.rate()
	}
	fmt.Println()
	ratio := func(label, a, b string) {
		if rate[b] > 0 {
			fmt.Printf("%-38s %6.2f\n", label, rate[a]/rate[b])
		}
	}
	ratio("redis update / bolt update", "redis update", "bolt update")
	ratio("bolt update / bolt query", "bolt update", "bolt query")
	ratio("redis update / redis query", "redis update", "redis query")
	ratio("redis query / bolt query", "redis query", "bolt query")
}
