package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

var concurrencyCases = map[string]func(*testing.T, store.Store){
	"no lost adds": func(t *testing.T, s store.Store) {
		const workers, each = 8, 15
		errs := make(chan error, workers*each)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					u := store.Update{Zone: Zone, Changes: []store.Change{
						add(flat, fmt.Sprintf("w%d-%02d", w, i), time.Hour),
						add(fmt.Sprintf("w%d.example.org.", w), fmt.Sprint(i), time.Hour),
					}}
					errs <- s.Apply(context.Background(), u, T0)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
		}
		got, _ := values(t, s, flat, T0)
		if len(got) != workers*each {
			t.Errorf("values at %s: got %d, want %d", flat, len(got), workers*each)
		}
		if n := count(t, s, T0); n != 2*workers*each {
			t.Errorf("Count: got %d, want %d", n, 2*workers*each)
		}
	},
	"cap holds under contention": func(t *testing.T, s store.Store) {
		const tries, limit = 12, 5
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, full := 0, 0
		for i := range tries {
			wg.Go(func() {
				u := store.Update{Zone: Zone, MaxPerOwner: limit, Changes: []store.Change{
					add(flat, fmt.Sprint("v", i), time.Hour)}}
				err := s.Apply(context.Background(), u, T0)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrOwnerFull):
					full++
				default:
					t.Errorf("Apply: %v", err)
				}
			})
		}
		wg.Wait()
		got, _ := values(t, s, flat, T0)
		if ok != limit || full != tries-limit || len(got) != limit {
			t.Errorf("got %d accepted, %d full, %d stored; want %d, %d, %d",
				ok, full, len(got), limit, tries-limit, limit)
		}
	},
}
