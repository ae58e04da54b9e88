package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// benchOwners is how many owners BenchLookup spreads its reads over.
const benchOwners = 1000

func benchOwner(i int) string {
	return fmt.Sprintf("slot-%d.mb-%012x.%s", i%10, i/10, Zone)
}

// BenchLookup measures Lookup of owners that hold three values each.
func BenchLookup(b *testing.B, s store.Store) {
	ctx := context.Background()
	for i := range benchOwners {
		u := store.Update{Zone: Zone}
		for j := range 3 {
			u.Changes = append(u.Changes, store.Change{Op: store.OpAdd, Owner: benchOwner(i),
				Value: fmt.Sprintf("value-%d-%064d", j, i), TTL: time.Hour})
		}
		if err := s.Apply(ctx, u, T0); err != nil {
			b.Fatalf("Apply: %v", err)
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		vals, _, err := s.Lookup(ctx, Zone, benchOwner(i%benchOwners), T0)
		if err != nil || len(vals) != 3 {
			b.Fatalf("Lookup: got %d values, %v; want 3", len(vals), err)
		}
		i++
	}
}

// BenchApply measures an UPDATE that adds one value under a per-owner cap
// and a writer quota, the plugin's common write.
func BenchApply(b *testing.B, s store.Store) {
	ctx := context.Background()
	i := 0
	for b.Loop() {
		u := store.Update{Zone: Zone, MaxPerOwner: 100, Writer: "bench.", WriterQuota: 1 << 30,
			Changes: []store.Change{{Op: store.OpAdd, Owner: benchOwner(i % benchOwners),
				Value: fmt.Sprintf("value-%064d", i), TTL: time.Hour}}}
		if err := s.Apply(ctx, u, T0); err != nil {
			b.Fatalf("Apply: %v", err)
		}
		i++
	}
}

// BenchCountValues is how many live values BenchCount stores.
const BenchCountValues = 100_000

// BenchCount measures Count on a zone holding BenchCountValues live
// values, ten per owner, written a hundred per UPDATE.
func BenchCount(b *testing.B, s store.Store) {
	ctx := context.Background()
	const perOwner, perUpdate = 10, 100
	for i := 0; i < BenchCountValues; i += perUpdate {
		u := store.Update{Zone: Zone}
		for j := i; j < i+perUpdate; j++ {
			u.Changes = append(u.Changes, store.Change{Op: store.OpAdd,
				Owner: benchOwner(j / perOwner), Value: fmt.Sprintf("v%d", j), TTL: time.Hour})
		}
		if err := s.Apply(ctx, u, T0); err != nil {
			b.Fatalf("Apply: %v", err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		n, err := s.Count(ctx, Zone, T0)
		if err != nil || n != BenchCountValues {
			b.Fatalf("Count: got %d, %v; want %d", n, err, BenchCountValues)
		}
	}
}
