package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

func sweep(t *testing.T, s store.Store, now time.Time) int {
	t.Helper()
	n, err := s.Sweep(context.Background(), now)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	return n
}

var sweepCases = map[string]func(*testing.T, store.Store){
	"count": func(t *testing.T, s store.Store) {
		if n := count(t, s, T0); n != 0 {
			t.Errorf("Count of empty zone: got %d, want 0", n)
		}
		apply(t, s, T0, add(owner1, "a", time.Minute), add(owner1, "b", time.Hour),
			add(flat, "c", time.Hour), add(owner2, "d", 30*time.Second))
		for _, tt := range []struct {
			at   time.Duration
			want int64
		}{{0, 4}, {30 * time.Second, 3}, {time.Minute, 2}, {time.Hour, 0}} {
			if n := count(t, s, at(tt.at)); n != tt.want {
				t.Errorf("Count at T0+%v: got %d, want %d", tt.at, n, tt.want)
			}
		}
	},
	"sweep removes expired values only": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", time.Minute), add(owner1, "b", time.Hour),
			add(flat, "c", time.Minute), add(owner2, "d", time.Minute))
		if n := sweep(t, s, at(time.Minute-time.Millisecond)); n != 0 {
			t.Errorf("early Sweep: got %d, want 0", n)
		}
		if n := sweep(t, s, at(time.Minute)); n != 3 {
			t.Errorf("Sweep: got %d, want 3", n)
		}
		if n := sweep(t, s, at(time.Minute)); n != 0 {
			t.Errorf("second Sweep: got %d, want 0", n)
		}
		// Looked up at T0 again, swept values are gone for good.
		expect(t, s, owner1, T0, true, "b")
		expect(t, s, owner2, T0, false)
		expect(t, s, flat, T0, false)
		if n := count(t, s, T0); n != 1 {
			t.Errorf("Count after Sweep: got %d, want 1", n)
		}
	},
	"sweep drops stale non-terminals": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", time.Minute), add("x.y.example.org.", "b", time.Hour))
		sweep(t, s, at(time.Minute))
		expect(t, s, ent, T0, false) // only the swept value kept it
		expect(t, s, "y.example.org.", T0, true)
	},
	"sweep covers every zone": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", time.Minute))
		u := store.Update{Zone: "example.net.", Changes: []store.Change{
			add("pk-1.example.net.", "b", time.Minute)}}
		if err := s.Apply(context.Background(), u, T0); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if n := sweep(t, s, at(time.Hour)); n != 2 {
			t.Errorf("Sweep: got %d, want 2", n)
		}
	},
	"swept quota is free": func(t *testing.T, s store.Store) {
		wantErr(t, capped(s, "k1.", T0, add(owner1, "a", time.Minute),
			add(owner2, "b", time.Minute), add(flat, "c", time.Minute)), nil)
		sweep(t, s, at(time.Minute))
		wantErr(t, capped(s, "k1.", T0, add(owner1, "x", time.Hour),
			add(owner2, "y", time.Hour), add(flat, "z", time.Hour)), nil)
		expect(t, s, owner1, T0, true, "x")
	},
}
