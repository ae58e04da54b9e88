package boltstore

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"
)

// Damage found while serving (the file changed under the running node)
// makes calls fail with ErrUnavailable wrapping ErrCorrupt, Ping fail and
// Close return, instead of a bbolt panic ending the process.
func TestDamageWhileOpen(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string, size int64)
	}{
		{"zeroed pages", func(t *testing.T, path string, size int64) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(make([]byte, size-2*4096), 2*4096); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T, path string, _ int64) {
			if err := os.Truncate(path, 2*4096); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path, owner := filled(t)
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			tc.damage(t, path, highWater(t, path))
			checkBroken(t, s, owner)
		})
	}
}

func checkBroken(t *testing.T, s *Store, owner string) {
	t.Helper()
	ctx := context.Background()
	_, _, err := s.Lookup(ctx, "example.org.", owner, storetest.T0)
	if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("Lookup: got %v, want ErrUnavailable and ErrCorrupt", err)
	}
	u := store.Update{Zone: "example.org.", Writer: "k1.", Changes: []store.Change{
		{Op: store.OpAdd, Owner: owner, Value: "w", TTL: time.Hour}}}
	if err := s.Apply(ctx, u, storetest.T0); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Apply: got %v, want ErrUnavailable", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Ping: got %v, want ErrCorrupt", err)
	}

	done := make(chan struct{})
	go func() {
		s.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("Close did not return within 5s")
	}
}
