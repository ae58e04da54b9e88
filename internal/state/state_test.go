package state

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func newDB(t *testing.T) *DB {
	t.Helper()
	return Open(filepath.Join(t.TempDir(), "state.db"))
}

func TestFileMode(t *testing.T) {
	d := newDB(t)
	if err := d.Update(func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != FileMode {
		t.Fatalf("mode got %04o, want %04o", got, FileMode)
	}
}

func TestContacts(t *testing.T) {
	d := newDB(t)
	err := d.Update(func(tx *Tx) error {
		for _, n := range []string{"zed@b", "amy@a"} {
			if err := tx.PutContact(Contact{Name: n, X25519: []byte{1}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.View(func(tx *Tx) error {
		cs, _ := tx.Contacts()
		if len(cs) != 2 || cs[0].Name != "amy@a" || cs[1].Name != "zed@b" {
			t.Fatalf("got %+v, want amy@a then zed@b", cs)
		}
		if _, err := tx.Contact("nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		return nil
	})
	d.Update(func(tx *Tx) error {
		if err := tx.DeleteContact("amy@a"); err != nil {
			t.Fatal(err)
		}
		if err := tx.DeleteContact("amy@a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second delete got %v, want ErrNotFound", err)
		}
		return nil
	})
}

func TestRollback(t *testing.T) {
	d := newDB(t)
	boom := errors.New("boom")
	err := d.Update(func(tx *Tx) error {
		tx.PutPrekey(Prekey{ID: 7, Private: []byte{1}})
		tx.MarkSeen([]byte("spk"), []byte("id"), 100)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	d.View(func(tx *Tx) error {
		if tx.HasPrekey(7) || tx.Seen([]byte("spk"), []byte("id")) {
			t.Fatal("a failed transaction left changes behind")
		}
		return nil
	})
}

func TestSeenPurge(t *testing.T) {
	d := newDB(t)
	d.Update(func(tx *Tx) error {
		tx.MarkSeen([]byte("a"), []byte("1"), 100)
		tx.MarkSeen([]byte("a"), []byte("2"), 200)
		return tx.PurgeSeen(150)
	})
	d.View(func(tx *Tx) error {
		if tx.Seen([]byte("a"), []byte("1")) {
			t.Error("entry expired at 100 survived a purge at 150")
		}
		if !tx.Seen([]byte("a"), []byte("2")) {
			t.Error("entry expiring at 200 was purged at 150")
		}
		return nil
	})
}

func TestIntroQueue(t *testing.T) {
	d := newDB(t)
	m := Message{SenderSPK: []byte("s1"), MsgID: []byte("m1"), Body: []byte("hi")}
	d.Update(func(tx *Tx) error {
		id, ok, err := tx.AddIntro(m)
		if err != nil || !ok || id != 1 {
			t.Fatalf("first add got (%d, %v, %v), want (1, true, nil)", id, ok, err)
		}
		if _, ok, _ := tx.AddIntro(m); ok {
			t.Fatal("duplicate intro was queued")
		}
		tx.Block([]byte("s2"), 1)
		if _, ok, _ := tx.AddIntro(Message{SenderSPK: []byte("s2"), MsgID: []byte("x")}); ok {
			t.Fatal("intro from a blocked sender was queued")
		}
		got, err := tx.Intro(1)
		if err != nil || !bytes.Equal(got.Body, []byte("hi")) {
			t.Fatalf("got %+v, %v", got, err)
		}
		return nil
	})
}

func TestHighWater(t *testing.T) {
	d := newDB(t)
	d.Update(func(tx *Tx) error {
		tx.SetHighWater("a", 10)
		tx.SetHighWater("a", 5)
		if got := tx.HighWater("a"); got != 10 {
			t.Fatalf("got %d, want 10", got)
		}
		return nil
	})
}

func TestBusy(t *testing.T) {
	d := newDB(t)
	d.timeout = 100 * time.Millisecond
	d.Update(func(*Tx) error { return nil })
	held, err := bolt.Open(d.Path(), FileMode, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := d.View(func(*Tx) error { return nil }); !errors.Is(err, ErrBusy) {
		t.Fatalf("got %v, want ErrBusy", err)
	}
}
