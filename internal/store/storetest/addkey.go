package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/dnsmesh/dmp/internal/store"
)

// addKeyCases check AddKey, the put-if-absent the admin endpoint uses so
// that an add without replace never overwrites a key in use, even when
// two nodes on one backend add the same name at once.
var addKeyCases = map[string]func(*testing.T, store.Store){
	"new name stored and indexed": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		indexBuilt(t, s)
		k := testKey("k1.")
		if err := s.AddKey(ctx, k); err != nil {
			t.Fatalf("AddKey: %v", err)
		}
		wantKey(t, s, k)
		taken := subjectKey("b1.", 2)
		if err := s.PutSubjectKey(ctx, taken, T0); !errors.Is(err, store.ErrSubjectTaken) {
			t.Errorf("subject of the added key: got %v, want ErrSubjectTaken", err)
		}
	},
	"existing name refused and unchanged": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		indexBuilt(t, s)
		k := testKey("k1.")
		if err := s.PutKey(ctx, k); err != nil {
			t.Fatalf("PutKey: %v", err)
		}
		other := subjectKey("k1.", 9)
		other.Secret, other.Subject, other.Scope = "b3RoZXJzZWNyZXQ=", "bob@example.org", nil
		if err := s.AddKey(ctx, other); !errors.Is(err, store.ErrKeyExists) {
			t.Fatalf("AddKey of a stored name: got %v, want ErrKeyExists", err)
		}
		wantKey(t, s, k)
		if list, err := s.ListKeys(ctx); err != nil || len(list) != 2 {
			t.Errorf("ListKeys: got %d keys, %v; want k1 and the indexing key", len(list), err)
		}
		runSteps(t, s, []subjectStep{
			{"alice still held", register(subjectKey("b1.", 2)), T0, store.ErrSubjectTaken},
			{"bob not indexed", register(bobKey("c1.", 3)), T0, nil},
		})
	},
	"name free again after delete": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		indexBuilt(t, s)
		if err := s.AddKey(ctx, testKey("k1.")); err != nil {
			t.Fatalf("AddKey: %v", err)
		}
		if err := s.DeleteKey(ctx, "k1."); err != nil {
			t.Fatalf("DeleteKey: %v", err)
		}
		again := bobKey("k1.", 3)
		again.Secret = "YWdhaW5hZ2Fpbg=="
		if err := s.AddKey(ctx, again); err != nil {
			t.Fatalf("AddKey after DeleteKey: %v", err)
		}
		wantKey(t, s, again)
		runSteps(t, s, []subjectStep{
			{"alice free", register(subjectKey("a1.", 1)), T0, nil},
			{"bob held", register(bobKey("c1.", 4)), T0, store.ErrSubjectTaken},
		})
	},
	"racing adds of one name": func(t *testing.T, s store.Store) {
		RaceAddKey(t, []store.Store{s, s})
	},
}

// indexBuilt registers a key of an unrelated subject, so that a store
// which builds its subject index on first use (redisstore) has built it
// before the case's own writes, and the index they leave is what the
// case checks.
func indexBuilt(t *testing.T, s store.Store) {
	t.Helper()
	k := subjectKey("z1.", 26)
	k.Subject = "zed@example.org"
	if err := s.PutSubjectKey(context.Background(), k, T0); err != nil {
		t.Fatalf("PutSubjectKey(%s): %v", k.Name, err)
	}
}

// bobKey is subjectKey registered for bob@example.org.
func bobKey(name string, spk byte) store.Key {
	k := subjectKey(name, spk)
	k.Subject = "bob@example.org"
	return k
}

// wantKey checks that GetKey returns exactly want.
func wantKey(t *testing.T, s store.Store, want store.Key) {
	t.Helper()
	got, err := s.GetKey(context.Background(), want.Name)
	if err != nil || !sameKey(got, want) {
		t.Errorf("GetKey(%s): got %+v, %v; want %+v", want.Name, got, err, want)
	}
}

// RaceAddKey adds one name with many secrets at once, spread over the
// given stores (which may be separate clients of one backend, as several
// nodes are), and checks exactly one add won and its key is the one
// stored.
func RaceAddKey(t *testing.T, stores []store.Store) {
	t.Helper()
	won := race(t, stores, store.ErrKeyExists, func(i int) store.Key {
		k := testKey("race.")
		k.Secret = fmt.Sprintf("c2VjcmV0%02d", i)
		return k
	}, func(s store.Store, k store.Key) error {
		return s.AddKey(context.Background(), k)
	})
	wantKey(t, stores[0], won)
}

// race runs write for 16 keys made by key at once, spread over stores,
// and returns the one key whose write succeeded. Every other write must
// fail with lost; more or fewer winners fail the test.
func race(t *testing.T, stores []store.Store, lost error, key func(i int) store.Key,
	write func(store.Store, store.Key) error) store.Key {
	t.Helper()
	const tries = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []store.Key
	start := make(chan struct{})
	for i := range tries {
		s, k := stores[i%len(stores)], key(i)
		wg.Go(func() {
			<-start
			err := write(s, k)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won = append(won, k)
			case !errors.Is(err, lost):
				t.Errorf("write of %s (secret %s): %v", k.Name, k.Secret, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("got %d winning writes, want 1", len(won))
	}
	return won[0]
}
