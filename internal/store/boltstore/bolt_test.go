package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "dmp.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dmp.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	owner := "slot-0.mb-1.example.org."
	u := store.Update{Zone: "example.org.", Writer: "k1.", Changes: []store.Change{
		{Op: store.OpAdd, Owner: owner, Value: "v", TTL: time.Hour}}}
	if err := s.Apply(ctx, u, storetest.T0); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := s.PutKey(ctx, store.Key{Name: "k1.", Secret: "eA=="}); err != nil {
		t.Fatalf("PutKey: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	vals, exists, err := s.Lookup(ctx, "example.org.", owner, storetest.T0)
	if err != nil || !exists || len(vals) != 1 || vals[0].Data != "v" {
		t.Errorf("Lookup after reopen: got %v exists=%v err=%v, want [v]", vals, exists, err)
	}
	if _, exists, _ := s.Lookup(ctx, "example.org.", "mb-1.example.org.", storetest.T0); !exists {
		t.Error("non-terminal after reopen: got absent, want present")
	}
	if _, err := s.GetKey(ctx, "k1."); err != nil {
		t.Errorf("GetKey after reopen: %v", err)
	}
}

func TestLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dmp.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: got %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %v, want about the 100ms timeout", d)
	}
}

func TestClosedIsUnavailable(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "dmp.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	ctx := context.Background()
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping after Close: got %v, want ErrUnavailable", err)
	}
	_, _, err = s.Lookup(ctx, "example.org.", "a.example.org.", storetest.T0)
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Lookup after Close: got %v, want ErrUnavailable", err)
	}
}
