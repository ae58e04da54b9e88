package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"

	"github.com/redis/go-redis/v9"
)

// commandCalls returns the number of commands Redis has run so far, from
// INFO commandstats (commands run by scripts included), leaving out INFO.
func commandCalls(t *testing.T, c *redis.Client) int {
	t.Helper()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	total := 0
	for line := range strings.Lines(info) {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok || name == "cmdstat_info" {
			continue
		}
		n, err := strconv.Atoi(strings.SplitN(rest, ",", 2)[0])
		if err != nil {
			t.Fatalf("commandstats line %q: %v", line, err)
		}
		total += n
	}
	return total
}

// TestCountCost shows Count does not walk the zone: over 200 owners it
// runs the same single command as over one.
func TestCountCost(t *testing.T) {
	srv := redistest.Start(t)
	c := client(srv.Addr())
	s := New(c)
	defer s.Close()
	ctx := context.Background()
	u := store.Update{Zone: storetest.Zone}
	for i := range 200 {
		u.Changes = append(u.Changes, store.Change{Op: store.OpAdd,
			Owner: fmt.Sprintf("pk-%d.%s", i, storetest.Zone), Value: "v", TTL: time.Hour})
	}
	if err := s.Apply(ctx, u, storetest.T0); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	before := commandCalls(t, c)
	n, err := s.Count(ctx, storetest.Zone, storetest.T0)
	if err != nil || n != 200 {
		t.Fatalf("Count: got %d, %v; want 200", n, err)
	}
	if got := commandCalls(t, c) - before; got != 1 {
		t.Errorf("Count ran %d Redis commands, want 1", got)
	}
}
