package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// prereqTable: flat holds "a" and "b" (live), owner1 holds "old" (expired
// at T0+1m), ent is an empty non-terminal, flat2 is absent.
var prereqTable = []struct {
	name string
	p    store.Prereq
	ok   bool
}{
	{"rrset exists", pr(store.RRsetExists, flat), true},
	{"rrset exists on absent", pr(store.RRsetExists, "absent.example.org."), false},
	{"rrset exists on expired", pr(store.RRsetExists, owner1), false},
	{"rrset exists on non-terminal", pr(store.RRsetExists, ent), false},
	{"rrset equals", pr(store.RRsetEquals, flat, "b", "a"), true},
	{"rrset equals subset", pr(store.RRsetEquals, flat, "a"), false},
	{"rrset equals superset", pr(store.RRsetEquals, flat, "a", "b", "c"), false},
	{"rrset equals other", pr(store.RRsetEquals, flat, "a", "c"), false},
	{"rrset equals expired", pr(store.RRsetEquals, owner1, "old"), false},
	{"rrset absent", pr(store.RRsetAbsent, "absent.example.org."), true},
	{"rrset absent on expired", pr(store.RRsetAbsent, owner1), true},
	{"rrset absent on present", pr(store.RRsetAbsent, flat), false},
	{"name in use", pr(store.NameInUse, flat), true},
	{"name in use on absent", pr(store.NameInUse, "absent.example.org."), false},
	{"name in use on expired", pr(store.NameInUse, owner1), false},
	{"name not in use", pr(store.NameNotInUse, "absent.example.org."), true},
	{"name not in use on present", pr(store.NameNotInUse, flat), false},
	{"name not in use on expired", pr(store.NameNotInUse, owner1), true},
}

func pr(kind store.PrereqKind, owner string, values ...string) store.Prereq {
	return store.Prereq{Kind: kind, Owner: owner, Values: values}
}

// seedPrereqs writes the state prereqTable describes and returns the
// time at which owner1 has expired.
func seedPrereqs(t *testing.T, s store.Store) time.Time {
	t.Helper()
	apply(t, s, T0, add(flat, "a", time.Hour), add(flat, "b", time.Hour),
		add(owner1, "old", time.Minute), add(owner2, "keep", time.Hour))
	return at(2 * time.Minute)
}

var prereqCases = map[string]func(*testing.T, store.Store){
	"each kind": func(t *testing.T, s store.Store) {
		now := seedPrereqs(t, s)
		for _, tt := range prereqTable {
			t.Run(tt.name, func(t *testing.T) {
				// A passing prerequisite first, so the failing one is at index 1.
				u := store.Update{Zone: Zone,
					Prereqs: []store.Prereq{pr(store.NameInUse, flat), tt.p},
					Changes: []store.Change{add(flat2, tt.name, time.Hour)}}
				err := s.Apply(context.Background(), u, now)
				checkPrereq(t, err, tt.ok, 1, tt.p.Kind)
				_, landed := values(t, s, flat2, now)
				if landed != tt.ok {
					t.Errorf("change applied: got %v, want %v", landed, tt.ok)
				}
				apply(t, s, now, delRRset(flat2))
			})
		}
	},
	"first failing prerequisite is reported": func(t *testing.T, s store.Store) {
		now := seedPrereqs(t, s)
		u := store.Update{Zone: Zone, Prereqs: []store.Prereq{
			pr(store.RRsetExists, flat),
			pr(store.NameNotInUse, flat),
			pr(store.RRsetExists, "absent.example.org."),
		}}
		checkPrereq(t, s.Apply(context.Background(), u, now), false, 1, store.NameNotInUse)
	},
	"prerequisites see the state before the changes": func(t *testing.T, s store.Store) {
		now := seedPrereqs(t, s)
		u := store.Update{Zone: Zone,
			Prereqs: []store.Prereq{pr(store.RRsetAbsent, flat2)},
			Changes: []store.Change{add(flat2, "x", time.Hour)}}
		if err := s.Apply(context.Background(), u, now); err != nil {
			t.Fatalf("first Apply: %v", err)
		}
		err := s.Apply(context.Background(), u, now)
		checkPrereq(t, err, false, 0, store.RRsetAbsent)
	},
	"failed prerequisite changes nothing": func(t *testing.T, s store.Store) {
		now := seedPrereqs(t, s)
		u := store.Update{Zone: Zone,
			Prereqs: []store.Prereq{pr(store.RRsetAbsent, flat)},
			Changes: []store.Change{delRRset(flat), add(owner2, "new", time.Hour),
				delValue(owner2, "keep")}}
		checkPrereq(t, s.Apply(context.Background(), u, now), false, 0, store.RRsetAbsent)
		expect(t, s, flat, now, true, "a", "b")
		expect(t, s, owner2, now, true, "keep")
	},
}

const flat2 = "pk-2.example.org."

// checkPrereq asserts err is nil when ok, else a *store.PrereqError with
// the given index and kind that matches store.ErrPrereq.
func checkPrereq(t *testing.T, err error, ok bool, index int, kind store.PrereqKind) {
	t.Helper()
	if ok {
		if err != nil {
			t.Errorf("Apply: got %v, want success", err)
		}
		return
	}
	var pe *store.PrereqError
	if !errors.As(err, &pe) || !errors.Is(err, store.ErrPrereq) {
		t.Fatalf("Apply: got %v, want a *PrereqError", err)
	}
	if pe.Index != index || pe.Kind != kind {
		t.Errorf("PrereqError: got index %d kind %d, want index %d kind %d",
			pe.Index, pe.Kind, index, kind)
	}
}
