package storetest

import (
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// countCases check that Count follows every way a value comes and goes,
// which matters to stores that keep a running index instead of walking
// the zone.
var countCases = map[string]func(*testing.T, store.Store){
	"count follows every change": func(t *testing.T, s store.Store) {
		steps := []struct {
			name    string
			changes []store.Change
			now     time.Time // of the step, and of the Count after it
			want    int64
		}{
			{"adds", []store.Change{add(owner1, "a", time.Minute),
				add(owner1, "b", 10*time.Second), add(owner2, "c", time.Minute),
				add(flat, "d", time.Minute)}, T0, 4},
			{"refresh counts once", []store.Change{add(owner1, "a", time.Hour)}, T0, 4},
			{"delete value", []store.Change{delValue(owner2, "c")}, T0, 3},
			{"delete absent value", []store.Change{delValue(owner2, "c")}, T0, 3},
			{"b expires", nil, at(10 * time.Second), 2},
			{"expired b re-added", []store.Change{add(owner1, "b", time.Minute)},
				at(11 * time.Second), 3},
			{"delete rrset", []store.Change{delRRset(owner1)}, at(11 * time.Second), 1},
			{"add after delete rrset", []store.Change{add(owner1, "e", time.Minute)},
				at(11 * time.Second), 2},
		}
		for _, st := range steps {
			if len(st.changes) > 0 {
				apply(t, s, st.now, st.changes...)
			}
			if n := count(t, s, st.now); n != st.want {
				t.Fatalf("%s: got Count %d, want %d", st.name, n, st.want)
			}
		}
	},
	"count after sweep": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", 10*time.Second), add(owner1, "b", time.Hour),
			add(flat, "c", 10*time.Second))
		if _, err := s.Sweep(t.Context(), at(20*time.Second)); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		if n := count(t, s, at(20*time.Second)); n != 1 {
			t.Errorf("after sweep: got Count %d, want 1", n)
		}
		// Re-adding a swept value counts it again, exactly once.
		apply(t, s, at(20*time.Second), add(flat, "c", time.Minute), add(flat, "c", time.Hour))
		if n := count(t, s, at(20*time.Second)); n != 2 {
			t.Errorf("after re-add: got Count %d, want 2", n)
		}
	},
}
