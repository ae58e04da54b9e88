// Command benchdata writes the data set of bench/read-qps.sh: the same N
// TXT RRsets into Redis, into an embedded store file and into a zone file
// for CoreDNS's file plugin, plus a dnsperf query file.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"
	"github.com/dnsmesh/dmp/internal/store/redisstore"
	"github.com/dnsmesh/dmp/pkg/txt"

	"github.com/redis/go-redis/v9"
)

const (
	zone  = "example.org."
	batch = 500 // changes per store update
)

func main() {
	n := flag.Int("n", 10000, "number of TXT RRsets")
	redisAddr := flag.String("redis", "", "Redis address to fill")
	boltPath := flag.String("bolt", "", "embedded store file to fill")
	zoneFile := flag.String("zonefile", "", "zone file to write")
	queries := flag.String("queries", "", "dnsperf query file to write")
	flag.Parse()

	if err := run(*n, *redisAddr, *boltPath, *zoneFile, *queries); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata: error:", err)
		os.Exit(1)
	}
}

// record is one owner name and its value: a DMP-like slot owner holding
// 160 bytes of base64, the size of a small slot manifest.
type record struct{ owner, value string }

func records(n int) []record {
	out := make([]record, n)
	for i := range out {
		h := sha256.Sum256([]byte(fmt.Sprint("mailbox-", i)))
		v := sha256.Sum256([]byte(fmt.Sprint("value-", i)))
		out[i] = record{
			owner: fmt.Sprintf("slot-%d.mb-%s.%s", i%10, hex.EncodeToString(h[:6]), zone),
			value: base64.StdEncoding.EncodeToString(append(append(v[:], v[:]...), v[:]...)) +
				strings.Repeat("A", 32),
		}
	}
	return out
}

func run(n int, redisAddr, boltPath, zoneFile, queries string) error {
	recs := records(n)
	if redisAddr != "" {
		s := redisstore.New(redis.NewClient(&redis.Options{Addr: redisAddr}))
		if err := fill(s, recs); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
	}
	if boltPath != "" {
		s, err := boltstore.Open(boltPath, boltstore.Options{})
		if err != nil {
			return err
		}
		if err := fill(s, recs); err != nil {
			return fmt.Errorf("bolt: %w", err)
		}
	}
	if zoneFile != "" {
		if err := writeZone(zoneFile, recs); err != nil {
			return err
		}
	}
	if queries != "" {
		return writeLines(queries, func(w *bufio.Writer) {
			for _, r := range recs {
				fmt.Fprintf(w, "%s TXT\n", r.owner)
			}
		})
	}
	return nil
}

// fill stores recs with a lifetime of a day and closes s.
func fill(s store.Store, recs []record) error {
	defer s.Close()
	for start := 0; start < len(recs); start += batch {
		u := store.Update{Zone: zone}
		for _, r := range recs[start:min(start+batch, len(recs))] {
			u.Changes = append(u.Changes, store.Change{
				Op: store.OpAdd, Owner: r.owner, Value: r.value, TTL: 24 * time.Hour,
			})
		}
		if err := s.Apply(context.Background(), u, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// writeZone writes the same records as a zone file with dmp's default
// apex and answer TTL.
func writeZone(path string, recs []record) error {
	return writeLines(path, func(w *bufio.Writer) {
		fmt.Fprintf(w, "$ORIGIN %s\n$TTL 60\n", zone)
		fmt.Fprintf(w, "@ IN SOA ns1.%s hostmaster.%s 1 3600 600 604800 60\n", zone, zone)
		fmt.Fprintf(w, "@ IN NS ns1.%s\n", zone)
		for _, r := range recs {
			fmt.Fprintf(w, "%s IN TXT \"%s\"\n", r.owner, strings.Join(txt.Split(r.value), `" "`))
		}
	})
}

func writeLines(path string, fn func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fn(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
