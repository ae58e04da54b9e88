package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"

	bolt "go.etcd.io/bbolt"
)

func aliceKey(name string, spk byte) store.Key {
	return store.Key{Name: name, SignKey: []byte{spk}, Subject: "alice@example.org",
		Expires: storetest.T0.Add(time.Hour)}
}

// indexEntries returns the subject index of the closed file at path, or
// nil when it has none.
func indexEntries(t *testing.T, path string) []string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubj)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSubjectIndex: registrations, operator puts and revocations keep one
// index entry per subject key, and a file without the index (written
// before it existed) gets it built on Open.
func TestSubjectIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dmp.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	steps := []func() error{
		func() error { return s.PutSubjectKey(ctx, aliceKey("a1.", 1), storetest.T0) },
		func() error { return s.PutSubjectKey(ctx, aliceKey("a2.", 1), storetest.T0) },
		func() error { return s.PutKey(ctx, store.Key{Name: "op."}) },
		func() error { return s.PutKey(ctx, store.Key{Name: "a2."}) },
		func() error { return s.PutSubjectKey(ctx, aliceKey("a3.", 1), storetest.T0) },
		func() error { return s.DeleteKey(ctx, "a3.") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	s.Close()
	want := []string{"alice@example.org\x00a1."}
	if got := indexEntries(t, path); !slices.Equal(got, want) {
		t.Fatalf("index: got %q, want %q", got, want)
	}

	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketSubj) })
	db.Close()
	if err != nil {
		t.Fatalf("drop the index: %v", err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("Open without index: %v", err)
	}
	err = s.PutSubjectKey(ctx, aliceKey("b1.", 2), storetest.T0)
	s.Close()
	if !errors.Is(err, store.ErrSubjectTaken) {
		t.Errorf("takeover after rebuild: got %v, want ErrSubjectTaken", err)
	}
	if got := indexEntries(t, path); !slices.Equal(got, want) {
		t.Errorf("rebuilt index: got %q, want %q", got, want)
	}
}
