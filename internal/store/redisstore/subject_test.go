package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"
)

func aliceKey(name string, spk byte) store.Key {
	return store.Key{Name: name, Algorithm: "hmac-sha256.", Secret: "c2VjcmV0",
		SignKey: []byte{spk, spk}, Subject: "alice@example.org",
		Expires: storetest.T0.Add(time.Hour)}
}

// TestSubjectIndexLayout: a registration writes the subject's index
// entry next to the key, and a revocation removes both.
func TestSubjectIndexLayout(t *testing.T) {
	srv := redistest.Start(t)
	c := client(srv.Addr())
	s := New(c)
	defer s.Close()
	ctx := context.Background()
	if err := s.PutSubjectKey(ctx, aliceKey("a1.", 1), storetest.T0); err != nil {
		t.Fatalf("PutSubjectKey: %v", err)
	}
	idx, err := c.HGetAll(ctx, "dmp:{dmp}:subj:alice@example.org").Result()
	wantMeta := fmt.Sprintf("%d:0101", storetest.T0.Add(time.Hour).UnixMilli())
	if err != nil || len(idx) != 1 || idx["a1."] != wantMeta {
		t.Fatalf("subject index: got %v, %v; want a1. -> %s", idx, err, wantMeta)
	}
	if got, _ := c.HGet(ctx, "dmp:{dmp}:keysubj", "a1.").Result(); got != "alice@example.org" {
		t.Errorf("keysubj a1.: got %q, want alice@example.org", got)
	}
	if err := s.DeleteKey(ctx, "a1."); err != nil {
		t.Fatalf("DeleteKey: %v", err)
	}
	left, err := c.Keys(ctx, "dmp:{dmp}:*").Result()
	if err != nil || len(left) != 1 || left[0] != "dmp:{dmp}:subjidx" {
		t.Errorf("after revoke: got keys %q, %v; want only dmp:{dmp}:subjidx", left, err)
	}
}

// TestSubjectIndexBuiltFromOldKeys: keys stored before the index existed
// (straight into the key hash) still hold their subject.
func TestSubjectIndexBuiltFromOldKeys(t *testing.T) {
	srv := redistest.Start(t)
	c := client(srv.Addr())
	s := New(c)
	defer s.Close()
	ctx := context.Background()
	for _, k := range []store.Key{aliceKey("old1.", 1), {Name: "operator."}} {
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.HSet(ctx, keyTSIG, k.Name, b).Err(); err != nil {
			t.Fatalf("HSET: %v", err)
		}
	}
	err := s.PutSubjectKey(ctx, aliceKey("new1.", 2), storetest.T0)
	if !errors.Is(err, store.ErrSubjectTaken) {
		t.Fatalf("takeover of an old key's subject: got %v, want ErrSubjectTaken", err)
	}
	if err := s.PutSubjectKey(ctx, aliceKey("new2.", 1), storetest.T0); err != nil {
		t.Fatalf("same Ed25519 key: got %v, want nil", err)
	}
	idx, err := c.HKeys(ctx, "dmp:{dmp}:subj:alice@example.org").Result()
	if err != nil || strings.Join(idx, ",") != "old1.,new2." {
		t.Errorf("index: got %q, %v; want [old1. new2.]", idx, err)
	}
}
