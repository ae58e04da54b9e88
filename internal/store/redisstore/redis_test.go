package redisstore

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"

	"github.com/redis/go-redis/v9"
)

// client connects to addr with short timeouts and few dial retries (the
// default is 5 at 100 ms each), so a dead server is noticed fast.
func client(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond,
		MaxRetries: 1, DialerRetries: 1, DialerRetryTimeout: 10 * time.Millisecond})
}

func TestStore(t *testing.T) {
	srv := redistest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		c := client(srv.Addr())
		if err := c.FlushAll(context.Background()).Err(); err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		return New(c)
	})
}

func TestStoreCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node Redis Cluster")
	}
	cl := redistest.StartCluster(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		ctx := context.Background()
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs()})
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return m.FlushAll(ctx).Err()
		})
		if err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		return New(c)
	})
}

// TestStoreSentinel runs the suite through a failover client that finds
// the master through three sentinels (DECISIONS N9).
func TestStoreSentinel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a master, a replica and three sentinels")
	}
	sn := redistest.StartSentinel(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: sn.Addrs(),
			MasterName: redistest.MasterName})
		if _, ok := c.(*redis.Client); !ok {
			t.Fatalf("got a %T, want the failover *redis.Client", c)
		}
		if err := c.FlushAll(context.Background()).Err(); err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		return New(c)
	})
}

func TestKeyLayout(t *testing.T) {
	srv := redistest.Start(t)
	c := client(srv.Addr())
	s := New(c)
	defer s.Close()
	ctx := context.Background()
	u := store.Update{Zone: "example.org.", Writer: "k1.", Changes: []store.Change{
		{Op: store.OpAdd, Owner: "slot-0.mb-1.example.org.", Value: "v", TTL: time.Hour}}}
	if err := s.Apply(ctx, u, storetest.T0); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := s.PutKey(ctx, store.Key{Name: "k1."}); err != nil {
		t.Fatalf("PutKey: %v", err)
	}
	got, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatalf("KEYS: %v", err)
	}
	slices.Sort(got)
	want := []string{
		"dmp:{dmp}:keys", "dmp:{dmp}:zones",
		"dmp:{example.org.}:by:slot-0.mb-1.example.org.",
		"dmp:{example.org.}:exp",
		"dmp:{example.org.}:kids:mb-1.example.org.",
		"dmp:{example.org.}:live",
		"dmp:{example.org.}:rr:slot-0.mb-1.example.org.",
		"dmp:{example.org.}:tree",
		"dmp:{example.org.}:wv:k1.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("keys:\ngot  %q\nwant %q", got, want)
	}
	score, err := c.ZScore(ctx, "dmp:{example.org.}:rr:slot-0.mb-1.example.org.", "v").Result()
	if want := storetest.T0.Add(time.Hour).UnixMilli(); err != nil || int64(score) != want {
		t.Errorf("score: got %v, %v; want %d (expiry in Unix ms)", int64(score), err, want)
	}
}

func TestRedisDownAndBack(t *testing.T) {
	srv := redistest.Start(t)
	s := New(client(srv.Addr()))
	defer s.Close()
	ctx := context.Background()
	owner := "pk-1.example.org."
	u := store.Update{Zone: "example.org.", Changes: []store.Change{
		{Op: store.OpAdd, Owner: owner, Value: "v", TTL: time.Hour}}}
	if err := s.Apply(ctx, u, time.Now()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	srv.Kill()
	checks := map[string]func() error{
		"ping": func() error { return s.Ping(ctx) },
		"lookup": func() error {
			_, _, err := s.Lookup(ctx, "example.org.", owner, time.Now())
			return err
		},
		"apply": func() error { return s.Apply(ctx, u, time.Now()) },
		"get key": func() error {
			_, err := s.GetKey(ctx, "k.")
			return err
		},
		"first seen": func() error {
			_, err := s.FirstSeen(ctx, "mac", time.Minute)
			return err
		},
	}
	for name, call := range checks {
		if err := call(); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s while down: got %v, want ErrUnavailable", name, err)
		}
	}
	srv.Restart()
	deadline := time.Now().Add(5 * time.Second)
	for s.Ping(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Apply(ctx, u, time.Now()); err != nil {
		t.Fatalf("Apply after Restart: %v", err)
	}
	vals, exists, err := s.Lookup(ctx, "example.org.", owner, time.Now())
	if err != nil || !exists || len(vals) != 1 {
		t.Errorf("Lookup after Restart: got %v exists=%v err=%v, want [v]", vals, exists, err)
	}
}

// TestSubjectRaceTwoClients races registrations of one subject through
// two clients of one Redis, as two nodes sharing it would.
func TestSubjectRaceTwoClients(t *testing.T) {
	srv := redistest.Start(t)
	a, b := New(client(srv.Addr())), New(client(srv.Addr()))
	defer a.Close()
	defer b.Close()
	storetest.RaceSubject(t, []store.Store{a, b})
}

// TestAddKeyRaceTwoClients races adds of one key name through two
// clients of one Redis, as two nodes sharing it would.
func TestAddKeyRaceTwoClients(t *testing.T) {
	srv := redistest.Start(t)
	a, b := New(client(srv.Addr())), New(client(srv.Addr()))
	defer a.Close()
	defer b.Close()
	storetest.RaceAddKey(t, []store.Store{a, b})
}
