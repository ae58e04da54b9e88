package storetest

import (
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

var nameCases = map[string]func(*testing.T, store.Store){
	"empty non-terminal exists": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", time.Minute))
		expect(t, s, ent, T0, true)
		expect(t, s, "mb-ffffffffffff.example.org.", T0, false)
		expect(t, s, "x."+owner1, T0, false)
		expect(t, s, "ab-0123456789ab.example.org.", T0, false)
	},
	"deep empty non-terminals": func(t *testing.T, s store.Store) {
		deep := "a.b.c.example.org."
		apply(t, s, T0, add(deep, "v", time.Minute))
		expect(t, s, "b.c.example.org.", T0, true)
		expect(t, s, "c.example.org.", T0, true)
		expect(t, s, "b.example.org.", T0, false)
	},
	"non-terminal follows the latest expiry below it": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", 10*time.Second), add(owner2, "b", 20*time.Second))
		expect(t, s, ent, at(15*time.Second), true)
		expect(t, s, owner1, at(15*time.Second), false)
		expect(t, s, ent, at(20*time.Second), false)
	},
	"non-terminal after delete": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", time.Hour), add(owner2, "b", time.Minute))
		apply(t, s, T0, delRRset(owner1))
		expect(t, s, ent, at(30*time.Second), true)
		expect(t, s, ent, at(time.Minute), false)
		apply(t, s, T0, delValue(owner2, "b"))
		expect(t, s, ent, T0, false)
	},
	"non-terminal after refresh to a shorter life": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(owner1, "a", time.Hour))
		apply(t, s, T0, add(owner1, "a", time.Minute))
		expect(t, s, ent, at(2*time.Minute), false)
	},
	"name with values and names below": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(ent, "mid", 10*time.Second), add(owner1, "leaf", time.Minute))
		expect(t, s, ent, at(5*time.Second), true, "mid")
		expect(t, s, ent, at(30*time.Second), true)
		apply(t, s, T0, delRRset(owner1))
		expect(t, s, ent, at(5*time.Second), true, "mid")
		expect(t, s, ent, at(30*time.Second), false)
	},
	"names are stored as given": func(t *testing.T, s store.Store) {
		// Callers lower-case names (DECISIONS N2); the store compares bytes.
		apply(t, s, T0, add(flat, "lower", time.Minute))
		expect(t, s, flat, T0, true, "lower")
		expect(t, s, "PK-1.example.org.", T0, false)
	},
}
