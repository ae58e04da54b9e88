package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// subjectKey is a key registered for alice@example.org under the Ed25519
// key filled with spk.
func subjectKey(name string, spk byte) store.Key {
	k := testKey(name)
	k.SignKey = bytes.Repeat([]byte{spk}, 32)
	return k
}

var subjectCases = map[string]func(*testing.T, store.Store){
	"anti-takeover": func(t *testing.T, s store.Store) {
		ctx := context.Background()
		steps := []struct {
			name string
			key  store.Key
			now  time.Time
			want error
		}{
			{"first", subjectKey("a1.", 1), T0, nil},
			{"same key again", subjectKey("a1.", 1), T0, nil},
			{"same spk other name", subjectKey("a2.", 1), T0, nil},
			{"other spk", subjectKey("b1.", 2), T0, store.ErrSubjectTaken},
			{"other spk same name", subjectKey("a1.", 2), T0, store.ErrSubjectTaken},
			{"other spk after expiry", subjectKey("b1.", 2), at(24 * time.Hour), nil},
		}
		for _, st := range steps {
			err := s.PutSubjectKey(ctx, st.key, st.now)
			if !errors.Is(err, st.want) || (st.want == nil && err != nil) {
				t.Fatalf("%s: got %v, want %v", st.name, err, st.want)
			}
			got, gerr := s.GetKey(ctx, st.key.Name)
			stored := gerr == nil && sameKey(got, st.key)
			if stored != (st.want == nil) {
				t.Fatalf("%s: stored %v, want %v", st.name, stored, st.want == nil)
			}
		}
		other := subjectKey("c1.", 3)
		other.Subject = "bob@example.org"
		if err := s.PutSubjectKey(ctx, other, T0); err != nil {
			t.Fatalf("other subject: got %v, want nil", err)
		}
	},
	"one subject, racing spks": func(t *testing.T, s store.Store) {
		RaceSubject(t, []store.Store{s, s})
	},
	"index follows delete and re-register": func(t *testing.T, s store.Store) {
		runSteps(t, s, []subjectStep{
			{"first", register(subjectKey("a1.", 1)), T0, nil},
			{"taken", register(subjectKey("b1.", 2)), T0, store.ErrSubjectTaken},
			{"revoke a1", revoke("a1."), T0, nil},
			{"free after revoke", register(subjectKey("b1.", 2)), T0, nil},
			{"a1 back is taken", register(subjectKey("a1.", 1)), T0, store.ErrSubjectTaken},
			{"revoke b1", revoke("b1."), T0, nil},
			{"revoke b1 twice", revoke("b1."), T0, store.ErrNotFound},
			{"a1 back", register(subjectKey("a1.", 1)), T0, nil},
			{"a1 again", register(subjectKey("a1.", 1)), T0, nil},
			{"b1 taken again", register(subjectKey("b1.", 2)), T0, store.ErrSubjectTaken},
		})
	},
	"index follows PutKey": func(t *testing.T, s store.Store) {
		moved := subjectKey("a1.", 1)
		moved.Subject = "bob@example.org"
		operator := subjectKey("a1.", 1)
		operator.Subject = ""
		bob := subjectKey("c1.", 3)
		bob.Subject = "bob@example.org"
		forever := subjectKey("f1.", 6)
		forever.Subject, forever.Expires = "dave@example.org", time.Time{}
		dave := subjectKey("g1.", 7)
		dave.Subject = "dave@example.org"
		runSteps(t, s, []subjectStep{
			{"alice", register(subjectKey("a1.", 1)), T0, nil},
			{"move a1 to bob", put(moved), T0, nil},
			{"alice free", register(subjectKey("b1.", 2)), T0, nil},
			{"bob held", register(bob), T0, store.ErrSubjectTaken},
			{"a1 made an operator key", put(operator), T0, nil},
			{"bob free", register(bob), T0, nil},
			{"key without expiry", put(forever), T0, nil},
			{"held for ever", register(dave), at(100 * 365 * 24 * time.Hour),
				store.ErrSubjectTaken},
		})
	},
}

// subjectStep is one key operation of a subject index case and the error
// it must return.
type subjectStep struct {
	name string
	do   func(store.Store, time.Time) error
	now  time.Time
	want error
}

func register(k store.Key) func(store.Store, time.Time) error {
	return func(s store.Store, now time.Time) error {
		return s.PutSubjectKey(context.Background(), k, now)
	}
}

func put(k store.Key) func(store.Store, time.Time) error {
	return func(s store.Store, _ time.Time) error { return s.PutKey(context.Background(), k) }
}

func revoke(name string) func(store.Store, time.Time) error {
	return func(s store.Store, _ time.Time) error {
		return s.DeleteKey(context.Background(), name)
	}
}

func runSteps(t *testing.T, s store.Store, steps []subjectStep) {
	t.Helper()
	for _, st := range steps {
		err := st.do(s, st.now)
		if !errors.Is(err, st.want) || (st.want == nil && err != nil) {
			t.Fatalf("%s: got %v, want %v", st.name, err, st.want)
		}
	}
}

// RaceSubject registers one subject under many Ed25519 keys at once,
// spread over the given stores (which may be separate clients of one
// backend, as several nodes are), and checks exactly one registration
// won and only its key is stored.
func RaceSubject(t *testing.T, stores []store.Store) {
	t.Helper()
	won := race(t, stores, store.ErrSubjectTaken, func(i int) store.Key {
		return subjectKey(fmt.Sprintf("race%02d.", i), byte(i+1))
	}, func(s store.Store, k store.Key) error {
		return s.PutSubjectKey(context.Background(), k, T0)
	})
	keys, err := stores[0].ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !sameKey(keys[0], won) {
		t.Fatalf("stored %d keys, want only the winner %s", len(keys), won.Name)
	}
}
