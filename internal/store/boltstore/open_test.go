package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"
)

// filled writes a store file large enough to span many pages and returns
// its path and one owner name that holds a value.
func filled(t *testing.T) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dmp.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ctx := context.Background()
	var owner string
	for i := range 40 {
		u := store.Update{Zone: "example.org.", Writer: "k1."}
		for j := range 50 {
			owner = fmt.Sprintf("slot-%d.mb-%03d.example.org.", j%10, i)
			u.Changes = append(u.Changes, store.Change{Op: store.OpAdd, Owner: owner,
				Value: strings.Repeat("v", 200) + fmt.Sprint(j), TTL: time.Hour})
		}
		if err := s.Apply(ctx, u, storetest.T0); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path, owner
}

// A file cut short (a copy interrupted, a full disk) is refused at Open
// with an error naming the file, instead of a bbolt assertion panic on
// the first read of a missing page.
func TestOpenTruncated(t *testing.T) {
	path, _ := filled(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	end := highWater(t, path)
	for _, cut := range []int64{fi.Size() / 2, end - 1, end - 4096, 3 * 4096} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cut.db")
			copyFile(t, path, p, cut)
			s, err := Open(p, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open of a file cut to %d bytes: got nil error, want ErrCorrupt", cut)
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
				t.Errorf("got %v, want ErrCorrupt naming %s", err, p)
			}
		})
	}
}

// A file cut right after its last used page is whole.
func TestOpenCutAtHighWater(t *testing.T) {
	path, owner := filled(t)
	p := filepath.Join(t.TempDir(), "cut.db")
	copyFile(t, path, p, highWater(t, path))
	s, err := Open(p, Options{})
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	defer s.Close()
	vals, _, err := s.Lookup(context.Background(), "example.org.", owner, storetest.T0)
	if err != nil || len(vals) == 0 {
		t.Errorf("Lookup: got %d values, %v; want values", len(vals), err)
	}
}

// highWater returns the end of the last page in use, from the meta page.
func highWater(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, ok := newestMeta(f)
	if !ok {
		t.Fatal("no valid meta page")
	}
	return int64(m.pgid * m.pageSize)
}

// A page zeroed inside the file is found by the check at Open.
func TestOpenZeroedPage(t *testing.T) {
	path, _ := filled(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := 4096
	copy(data[len(data)/2/page*page:], make([]byte, page))
	p := filepath.Join(t.TempDir(), "zero.db")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(p, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a file with a zeroed page: got nil error, want ErrCorrupt")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("got %v, want ErrCorrupt", err)
	}
}

func copyFile(t *testing.T, from, to string, n int64) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data[:n], 0o600); err != nil {
		t.Fatal(err)
	}
}
