package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

const (
	owner1 = "slot-0.mb-0123456789ab.example.org."
	owner2 = "slot-1.mb-0123456789ab.example.org."
	ent    = "mb-0123456789ab.example.org."
	flat   = "pk-1.example.org."
)

var recordCases = map[string]func(*testing.T, store.Store){
	"empty store": func(t *testing.T, s store.Store) {
		expect(t, s, owner1, T0, false)
		expect(t, s, Zone, T0, true) // the apex always exists
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	},
	"add returns values sorted with expiry": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "b", time.Minute), add(flat, "a", 90*time.Second))
		vals, exists, err := s.Lookup(context.Background(), Zone, flat, at(time.Second))
		if err != nil || !exists {
			t.Fatalf("Lookup: exists=%v err=%v, want exists and no error", exists, err)
		}
		want := []store.Value{
			{Data: "a", Expires: at(90 * time.Second)}, {Data: "b", Expires: at(time.Minute)}}
		if len(vals) != len(want) {
			t.Fatalf("got %d values, want %d", len(vals), len(want))
		}
		for i := range want {
			if vals[i].Data != want[i].Data || !vals[i].Expires.Equal(want[i].Expires) {
				t.Errorf("value %d: got %q until %v, want %q until %v",
					i, vals[i].Data, vals[i].Expires, want[i].Data, want[i].Expires)
			}
		}
	},
	"append keeps other values": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", time.Minute))
		apply(t, s, at(time.Second), add(flat, "b", time.Minute))
		apply(t, s, at(2*time.Second), add(flat, "a", time.Minute))
		expect(t, s, flat, at(3*time.Second), true, "a", "b")
		if n := count(t, s, at(3*time.Second)); n != 2 {
			t.Errorf("Count: got %d, want 2", n)
		}
	},
	"re-add refreshes expiry": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", 10*time.Second), add(flat, "b", 10*time.Second))
		apply(t, s, at(5*time.Second), add(flat, "a", 10*time.Second))
		expect(t, s, flat, at(12*time.Second), true, "a")
		vals, _, _ := s.Lookup(context.Background(), Zone, flat, at(12*time.Second))
		if len(vals) == 1 && !vals[0].Expires.Equal(at(15*time.Second)) {
			t.Errorf("expiry: got %v, want %v", vals[0].Expires, at(15*time.Second))
		}
		expect(t, s, flat, at(15*time.Second), false)
	},
	"expiry boundary": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", 10*time.Second))
		expect(t, s, owner1, at(10*time.Second-time.Millisecond), true, "a")
		expect(t, s, ent, at(10*time.Second-time.Millisecond), true)
		expect(t, s, owner1, at(10*time.Second), false)
		expect(t, s, ent, at(10*time.Second), false)
		if n := count(t, s, at(10*time.Second)); n != 0 {
			t.Errorf("Count at expiry: got %d, want 0", n)
		}
	},
	"zero ttl is never served": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", 0))
		expect(t, s, flat, T0, false)
	},
	"delete value": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", time.Minute), add(flat, "b", time.Minute))
		apply(t, s, T0, delValue(flat, "a"), delValue(flat, "absent"))
		expect(t, s, flat, T0, true, "b")
		apply(t, s, T0, delValue(flat, "b"))
		expect(t, s, flat, T0, false)
		if n := count(t, s, T0); n != 0 {
			t.Errorf("Count: got %d, want 0", n)
		}
	},
	"delete rrset": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", time.Minute), add(owner1, "b", time.Hour),
			add(flat, "c", time.Minute))
		apply(t, s, T0, delRRset(owner1), delRRset("absent.example.org."))
		expect(t, s, owner1, T0, false)
		expect(t, s, ent, T0, false)
		expect(t, s, flat, T0, true, "c")
	},
	"changes apply in order": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "old", time.Minute))
		apply(t, s, T0, delRRset(flat), add(flat, "new", time.Minute),
			add(flat, "gone", time.Minute), delValue(flat, "gone"))
		expect(t, s, flat, T0, true, "new")
	},
	"values keep their bytes": func(t *testing.T, s store.Store) {
		long := strings.Repeat("x", 700)
		odd := []string{"ABC", "abc", "a b", `q"uote`, `back\slash`, "é ü", long, "nul\x00byte"}
		var cs []store.Change
		for _, v := range odd {
			cs = append(cs, add(flat, v, time.Minute))
		}
		apply(t, s, T0, cs...)
		want := []string{"ABC", "a b", "abc", `back\slash`, "nul\x00byte", `q"uote`,
			long, "é ü"}
		expect(t, s, flat, T0, true, want...)
	},
	"zones are separate": func(t *testing.T, s store.Store) {
		other := store.Update{Zone: "example.net.", Changes: []store.Change{
			add("pk-1.example.net.", "net", time.Minute)}}
		if err := s.Apply(context.Background(), other, T0); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		apply(t, s, T0, add(flat, "org", time.Minute))
		vals, exists, err := s.Lookup(context.Background(), "example.net.",
			"pk-1.example.net.", T0)
		if err != nil || !exists || len(vals) != 1 || vals[0].Data != "net" {
			t.Errorf("Lookup in example.net.: got %v exists=%v err=%v, want [net]",
				vals, exists, err)
		}
		if n := count(t, s, T0); n != 1 {
			t.Errorf("Count(%s): got %d, want 1", Zone, n)
		}
	},
	"owner outside zone is refused": func(t *testing.T, s store.Store) {
		u := store.Update{Zone: Zone, Changes: []store.Change{
			add(flat, "in", time.Minute), add("pk-1.example.net.", "out", time.Minute)}}
		err := s.Apply(context.Background(), u, T0)
		if err == nil || errors.Is(err, store.ErrPrereq) || errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Apply: got %v, want a plain error", err)
		}
		expect(t, s, flat, T0, false)
	},
}
