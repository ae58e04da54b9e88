package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

func testKey(name string) store.Key {
	return store.Key{
		Name: name, Algorithm: "hmac-sha256.", Secret: "c2VjcmV0c2VjcmV0",
		Scope:   []string{"slot-*.mb-0123456789ab.example.org.", "pk-1.example.org."},
		SignKey: bytes.Repeat([]byte{7}, 32), Created: T0,
		Subject: "alice@example.org", Expires: at(24 * time.Hour),
	}
}

func sameKey(a, b store.Key) bool {
	return a.Name == b.Name && a.Algorithm == b.Algorithm && a.Secret == b.Secret &&
		slices.Equal(a.Scope, b.Scope) && bytes.Equal(a.SignKey, b.SignKey) &&
		a.Created.Equal(b.Created) && a.Subject == b.Subject && a.Expires.Equal(b.Expires)
}

var stateCases = map[string]func(*testing.T, store.Store){
	"keys": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		if _, err := s.GetKey(ctx, "k1."); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetKey unknown: got %v, want ErrNotFound", err)
		}
		k1, k2 := testKey("k1."), testKey("k2.")
		k2.SignKey, k2.Scope, k2.Expires = nil, nil, time.Time{}
		for _, k := range []store.Key{k2, k1} {
			if err := s.PutKey(ctx, k); err != nil {
				t.Fatalf("PutKey(%s): %v", k.Name, err)
			}
		}
		got, err := s.GetKey(ctx, "k1.")
		if err != nil || !sameKey(got, k1) {
			t.Errorf("GetKey: got %+v, %v; want %+v", got, err, k1)
		}
		k1.Secret = "bmV3c2VjcmV0"
		if err := s.PutKey(ctx, k1); err != nil {
			t.Fatalf("PutKey replace: %v", err)
		}
		list, err := s.ListKeys(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("ListKeys: got %d keys, %v; want 2", len(list), err)
		}
		if !sameKey(list[0], k1) || !sameKey(list[1], k2) {
			t.Errorf("ListKeys: got %+v, want [k1 (replaced), k2] by name", list)
		}
		if err := s.DeleteKey(ctx, "k1."); err != nil {
			t.Fatalf("DeleteKey: %v", err)
		}
		if _, err := s.GetKey(ctx, "k1."); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetKey deleted: got %v, want ErrNotFound", err)
		}
		if err := s.DeleteKey(ctx, "k1."); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteKey twice: got %v, want ErrNotFound", err)
		}
	},
	"first seen": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		for _, tt := range []struct {
			id   string
			want bool
		}{{"mac1", true}, {"mac1", false}, {"mac2", true}, {"mac1", false}} {
			got, err := s.FirstSeen(ctx, tt.id, 300*time.Millisecond)
			if err != nil || got != tt.want {
				t.Errorf("FirstSeen(%s): got %v, %v; want %v", tt.id, got, err, tt.want)
			}
		}
		time.Sleep(400 * time.Millisecond)
		if got, err := s.FirstSeen(ctx, "mac1", time.Second); err != nil || !got {
			t.Errorf("FirstSeen after ttl: got %v, %v; want true", got, err)
		}
	},
	"allow": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		w := time.Minute
		start := T0.Truncate(w)
		steps := []struct {
			bucket string
			now    time.Time
			want   bool
		}{
			{"ip:1", start, true}, {"ip:1", start.Add(10 * time.Second), true},
			{"ip:2", start.Add(20 * time.Second), true},
			{"ip:1", start.Add(30 * time.Second), true},
			{"ip:1", start.Add(w - time.Millisecond), false},
			{"ip:1", start.Add(w), true}, {"ip:2", start.Add(w), true},
		}
		for i, st := range steps {
			got, err := s.Allow(ctx, st.bucket, 3, w, st.now)
			if err != nil || got != st.want {
				t.Errorf("step %d Allow(%s): got %v, %v; want %v", i, st.bucket, got, err, st.want)
			}
		}
	},
	"challenges": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		if err := s.PutChallenge(ctx, "c1", []byte("nonce\x00bytes"), time.Minute); err != nil {
			t.Fatalf("PutChallenge: %v", err)
		}
		got, err := s.TakeChallenge(ctx, "c1")
		if err != nil || string(got) != "nonce\x00bytes" {
			t.Errorf("TakeChallenge: got %q, %v; want the stored bytes", got, err)
		}
		if _, err := s.TakeChallenge(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second TakeChallenge: got %v, want ErrNotFound", err)
		}
		if _, err := s.TakeChallenge(ctx, "never"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TakeChallenge unknown: got %v, want ErrNotFound", err)
		}
		if err := s.PutChallenge(ctx, "c2", []byte("x"), 200*time.Millisecond); err != nil {
			t.Fatalf("PutChallenge: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
		if _, err := s.TakeChallenge(ctx, "c2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TakeChallenge expired: got %v, want ErrNotFound", err)
		}
	},
}
