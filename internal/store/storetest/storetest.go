// Package storetest is the conformance suite of the store contract
// (package store): every implementation runs Run and must pass all of it,
// so the Redis store and the embedded bbolt store behave the same
// (DECISIONS N11, N13).
package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// Zone is the zone most cases write to.
const Zone = "example.org."

// T0 is the injected clock of the suite: cases pass T0 plus an offset as
// now, so expiry boundaries are exact and independent of the wall clock.
var T0 = time.Date(2031, 3, 4, 5, 6, 0, 0, time.UTC)

// Open returns an empty store for one case; the suite closes it.
type Open func(t *testing.T) store.Store

// Run runs every case of the suite against stores made by open. Cases run
// one after another; each gets its own store from open.
func Run(t *testing.T, open Open) {
	groups := []struct {
		name  string
		cases map[string]func(*testing.T, store.Store)
	}{
		{"records", recordCases},
		{"count", countCases},
		{"names", nameCases},
		{"prereqs", prereqCases},
		{"caps", capCases},
		{"sweep", sweepCases},
		{"state", stateCases},
		{"concurrency", concurrencyCases},
		{"subject", subjectCases},
		{"addkey", addKeyCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			names := make([]string, 0, len(g.cases))
			for name := range g.cases {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				t.Run(name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() { _ = s.Close() })
					g.cases[name](t, s)
				})
			}
		})
	}
}

// at returns T0 plus d.
func at(d time.Duration) time.Time { return T0.Add(d) }

func add(owner, value string, ttl time.Duration) store.Change {
	return store.Change{Op: store.OpAdd, Owner: owner, Value: value, TTL: ttl}
}

func delValue(owner, value string) store.Change {
	return store.Change{Op: store.OpDeleteValue, Owner: owner, Value: value}
}

func delRRset(owner string) store.Change {
	return store.Change{Op: store.OpDeleteRRset, Owner: owner}
}

// apply applies changes to Zone at now and fails the test on error.
func apply(t *testing.T, s store.Store, now time.Time, cs ...store.Change) {
	t.Helper()
	u := store.Update{Zone: Zone, Changes: cs}
	if err := s.Apply(context.Background(), u, now); err != nil {
		t.Fatalf("Apply(%v): %v", cs, err)
	}
}

// values returns the live values at owner in Zone, and whether it exists.
func values(t *testing.T, s store.Store, owner string, now time.Time) ([]string, bool) {
	t.Helper()
	vals, exists, err := s.Lookup(context.Background(), Zone, owner, now)
	if err != nil {
		t.Fatalf("Lookup(%s): %v", owner, err)
	}
	out := []string{}
	for _, v := range vals {
		out = append(out, v.Data)
	}
	return out, exists
}

// expect checks the live values at owner (in the order Lookup returns,
// which the contract says is sorted) and the exists flag.
func expect(t *testing.T, s store.Store, owner string, now time.Time, exists bool,
	want ...string) {
	t.Helper()
	got, gotExists := values(t, s, owner, now)
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) || gotExists != exists {
		t.Errorf("Lookup(%s) at T0%+v: got %q exists=%v, want %q exists=%v",
			owner, now.Sub(T0), got, gotExists, want, exists)
	}
}

// count returns Count(Zone) at now.
func count(t *testing.T, s store.Store, now time.Time) int64 {
	t.Helper()
	n, err := s.Count(context.Background(), Zone, now)
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return n
}
