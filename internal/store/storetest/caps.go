package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// capped applies cs as writer w with a cap of two values per owner and a
// quota of three values per writer, and returns the error.
func capped(s store.Store, w string, now time.Time, cs ...store.Change) error {
	u := store.Update{Zone: Zone, Changes: cs, MaxPerOwner: 2, Writer: w, WriterQuota: 3}
	return s.Apply(context.Background(), u, now)
}

// sized applies cs with only a wire-size cap of limit bytes per owner.
func sized(s store.Store, limit int, now time.Time, cs ...store.Change) error {
	u := store.Update{Zone: Zone, Changes: cs, MaxOwnerBytes: limit}
	return s.Apply(context.Background(), u, now)
}

// Wire sizes worked out by hand: value bytes, one length byte per
// 255-byte string, 12 bytes of compressed name, type, class, TTL and
// RDLENGTH.
const (
	rr255 = 255 + 1 + 12 // one full string
	rr256 = 256 + 2 + 12 // the 256th byte starts a second string
	rr1   = 1 + 1 + 12
)

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("Apply: got %v, want %v", err, want)
	}
}

var capCases = map[string]func(*testing.T, store.Store){
	"owner cap": func(t *testing.T, s store.Store) {
		wantErr(t, capped(s, "", T0, add(flat, "a", time.Hour), add(flat, "b", time.Hour)), nil)
		wantErr(t, capped(s, "", T0, add(flat, "c", time.Hour)), store.ErrOwnerFull)
		expect(t, s, flat, T0, true, "a", "b")
		wantErr(t, capped(s, "", T0, add(flat, "a", 2*time.Hour)), nil) // refresh fits
		wantErr(t, capped(s, "", T0, delValue(flat, "b"), add(flat, "c", time.Hour)), nil)
		expect(t, s, flat, T0, true, "a", "c")
	},
	"owner cap ignores expired values": func(t *testing.T, s store.Store) {
		wantErr(t, capped(s, "", T0, add(flat, "a", time.Minute),
			add(flat, "b", time.Minute)), nil)
		wantErr(t, capped(s, "", at(time.Minute), add(flat, "c", time.Hour),
			add(flat, "d", time.Hour)), nil)
		expect(t, s, flat, at(time.Minute), true, "c", "d")
	},
	"owner cap is atomic across owners": func(t *testing.T, s store.Store) {
		err := capped(s, "", T0, add(owner1, "a", time.Hour), add(owner2, "a", time.Hour),
			add(owner2, "b", time.Hour), add(owner2, "c", time.Hour))
		wantErr(t, err, store.ErrOwnerFull)
		expect(t, s, owner1, T0, false)
		expect(t, s, ent, T0, false)
		if n := count(t, s, T0); n != 0 {
			t.Errorf("Count: got %d, want 0", n)
		}
	},
	"over-full owner may still shrink": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", time.Hour), add(flat, "b", time.Hour),
			add(flat, "c", time.Hour))
		wantErr(t, capped(s, "", T0, delValue(flat, "c")), nil)
		expect(t, s, flat, T0, true, "a", "b")
	},
	"owner byte cap": func(t *testing.T, s store.Store) {
		a, b := strings.Repeat("a", 255), strings.Repeat("b", 256)
		limit := rr255 + rr256
		wantErr(t, sized(s, limit, T0, add(flat, a, time.Hour), add(flat, b, time.Hour)), nil)
		err := sized(s, limit, T0, add(flat, "c", time.Hour))
		wantErr(t, err, store.ErrOwnerFull)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("cap %d bytes", limit)) {
			t.Errorf("got %v, want the byte cap %d named", err, limit)
		}
		expect(t, s, flat, T0, true, a, b)
		wantErr(t, sized(s, limit, T0, add(flat, a, 2*time.Hour)), nil) // refresh fits
		wantErr(t, sized(s, limit, T0, delValue(flat, b), add(flat, "c", time.Hour)), nil)
		expect(t, s, flat, T0, true, a, "c")
	},
	"owner byte cap is one byte exact": func(t *testing.T, s store.Store) {
		a, b := strings.Repeat("a", 255), strings.Repeat("b", 256)
		err := sized(s, rr255+rr256-1, T0, add(flat, a, time.Hour), add(flat, b, time.Hour))
		wantErr(t, err, store.ErrOwnerFull)
		expect(t, s, flat, T0, false)
	},
	"owner byte cap ignores expired values and other owners": func(t *testing.T, s store.Store) {
		v := strings.Repeat("v", 255)
		wantErr(t, sized(s, rr255, T0, add(flat, v, time.Minute), add(flat2, v, time.Hour)), nil)
		wantErr(t, sized(s, rr255, at(time.Minute), add(flat, "w"+v[1:], time.Hour)), nil)
		expect(t, s, flat, at(time.Minute), true, "w"+v[1:])
	},
	"owner byte cap is atomic across owners": func(t *testing.T, s store.Store) {
		err := sized(s, 2*rr1, T0, add(owner1, "a", time.Hour), add(owner2, "a", time.Hour),
			add(owner2, "b", time.Hour), add(owner2, "c", time.Hour))
		wantErr(t, err, store.ErrOwnerFull)
		expect(t, s, owner1, T0, false)
		if n := count(t, s, T0); n != 0 {
			t.Errorf("Count: got %d, want 0", n)
		}
	},
	"over-size owner may still shrink": func(t *testing.T, s store.Store) {
		apply(t, s, T0, add(flat, "a", time.Hour), add(flat, "b", time.Hour),
			add(flat, "c", time.Hour))
		wantErr(t, sized(s, 2*rr1, T0, delValue(flat, "c")), nil)
		expect(t, s, flat, T0, true, "a", "b")
	},
	"writer quota": func(t *testing.T, s store.Store) {
		wantErr(t, capped(s, "k1.", T0, add(owner1, "a", time.Hour),
			add(owner2, "b", time.Hour), add(flat, "c", time.Hour)), nil)
		wantErr(t, capped(s, "k1.", T0, add(flat2, "d", time.Hour)), store.ErrQuota)
		expect(t, s, flat2, T0, false)
		wantErr(t, capped(s, "k2.", T0, add(flat2, "d", time.Hour)), nil)
		wantErr(t, capped(s, "k1.", T0, add(flat, "c", 2*time.Hour)), nil) // refresh fits
		wantErr(t, capped(s, "k1.", T0, delValue(flat, "c"), add(flat, "e", time.Hour)), nil)
		wantErr(t, capped(s, "k1.", T0, delRRset(owner1), add(owner1, "f", time.Hour),
			add(owner1, "g", time.Hour)), store.ErrQuota)
		expect(t, s, owner1, T0, true, "a")
		wantErr(t, capped(s, "k1.", T0, delRRset(owner1), add(owner1, "f", time.Hour)), nil)
		expect(t, s, owner1, T0, true, "f")
	},
	"writer quota frees on expiry and delete by others": func(t *testing.T, s store.Store) {
		wantErr(t, capped(s, "k1.", T0, add(owner1, "a", time.Minute),
			add(owner2, "b", time.Hour), add(flat, "c", time.Hour)), nil)
		now := at(time.Minute)
		wantErr(t, capped(s, "k1.", now, add(flat2, "d", time.Hour)), nil)
		wantErr(t, capped(s, "k1.", now, add(flat2, "e", time.Hour)), store.ErrQuota)
		apply(t, s, now, delRRset(owner2)) // an operator's delete
		wantErr(t, capped(s, "k1.", now, add(flat2, "e", time.Hour)), nil)
	},
	"refresh moves a value to the new writer": func(t *testing.T, s store.Store) {
		wantErr(t, capped(s, "k1.", T0, add(owner1, "a", time.Hour),
			add(owner2, "b", time.Hour), add(flat, "c", time.Hour)), nil)
		wantErr(t, capped(s, "k2.", T0, add(flat, "c", time.Hour)), nil)
		wantErr(t, capped(s, "k1.", T0, add(flat2, "d", time.Hour)), nil)
		wantErr(t, capped(s, "k2.", T0, add(ent, "p", time.Hour), add(ent, "q", time.Hour)), nil)
		wantErr(t, capped(s, "k2.", T0, add(flat2, "r", time.Hour)), store.ErrQuota)
	},
	"no quota without a writer or a limit": func(t *testing.T, s store.Store) {
		var cs []store.Change
		for i := range 5 {
			cs = append(cs, add(fmt.Sprintf("o%d.example.org.", i), "v", time.Hour))
		}
		u := store.Update{Zone: Zone, Changes: cs, Writer: "k1."}
		if err := s.Apply(context.Background(), u, T0); err != nil {
			t.Errorf("Apply with WriterQuota 0: %v", err)
		}
		u = store.Update{Zone: Zone, Changes: cs, WriterQuota: 1}
		if err := s.Apply(context.Background(), u, T0); err != nil {
			t.Errorf("Apply without Writer: %v", err)
		}
	},
}
