package state

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// A state file cut short (0 bytes after a full disk, or a few bytes) is
// refused, not silently replaced by an empty state.
func TestShortFileRefused(t *testing.T) {
	for _, size := range []int64{0, 100} {
		t.Run(fmt.Sprintf("%d-bytes", size), func(t *testing.T) {
			d := newDB(t)
			if err := os.WriteFile(d.Path(), make([]byte, size), FileMode); err != nil {
				t.Fatal(err)
			}
			err := d.View(func(*Tx) error { return nil })
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("got %v, want ErrDamaged", err)
			}
			fi, err := os.Stat(d.Path())
			if err != nil || fi.Size() != size {
				t.Fatalf("file after open: %v, %v; want it left at %d bytes", fi, err, size)
			}
		})
	}
}

// filledDB returns a state file of several pages: contacts and an inbox
// spread over many leaf pages.
func filledDB(t *testing.T) *DB {
	t.Helper()
	d := newDB(t)
	err := d.Update(func(tx *Tx) error {
		for i := range 300 {
			body := bytes.Repeat([]byte{byte(i)}, 150)
			if _, err := tx.AddInbox(Message{Body: body, Sent: int64(i)}); err != nil {
				return err
			}
		}
		return tx.PutContact(Contact{Name: "amy@a", X25519: []byte{1}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// everyOp runs a read and a write on d and returns their errors.
func everyOp(d *DB) []error {
	read := d.View(func(tx *Tx) error {
		_, err := tx.Inbox()
		return err
	})
	write := d.Update(func(tx *Tx) error {
		return tx.PutContact(Contact{Name: "bob@b"})
	})
	return []error{read, write}
}

// A truncated file faults inside bbolt's memory map; that must come back
// as ErrDamaged, not end the process with SIGBUS or SIGSEGV.
func TestTruncatedFile(t *testing.T) {
	d := filledDB(t)
	fi, err := os.Stat(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{20000, fi.Size() / 2} {
		t.Run(fmt.Sprintf("%d-bytes", size), func(t *testing.T) {
			d := filledDB(t)
			if err := os.Truncate(d.Path(), size); err != nil {
				t.Fatal(err)
			}
			for i, err := range everyOp(d) {
				if !errors.Is(err, ErrDamaged) {
					t.Errorf("op %d: got %v, want ErrDamaged", i, err)
				}
			}
		})
	}
}

// Random bytes written over pages past the meta pages make bbolt panic
// ("invalid freelist page", bad page types, out-of-range indexes) or read
// garbage. Every operation must return, with ErrDamaged when it notices.
func TestOverwrittenPages(t *testing.T) {
	for seed := range 24 {
		off := int64(8192 + seed*1024)
		t.Run(fmt.Sprintf("offset-%d", off), func(t *testing.T) {
			d := filledDB(t)
			junk := make([]byte, 40)
			rand.NewChaCha8([32]byte{byte(seed)}).Read(junk)
			f, err := os.OpenFile(d.Path(), os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(junk, off); err != nil {
				t.Fatal(err)
			}
			f.Close()
			for i, err := range everyOp(d) {
				if err != nil && !errors.Is(err, ErrDamaged) {
					t.Errorf("op %d: got %v, want nil or ErrDamaged", i, err)
				}
				if off == 8192 && !errors.Is(err, ErrDamaged) {
					t.Errorf("op %d on a smashed freelist page: got %v, want ErrDamaged",
						i, err)
				}
			}
		})
	}
}

// Once a damaged file is moved aside, a new state starts at the path in
// the same process.
func TestDamagedMovedAside(t *testing.T) {
	d := filledDB(t)
	if err := os.Truncate(d.Path(), 20000); err != nil {
		t.Fatal(err)
	}
	if err := d.View(func(*Tx) error { return nil }); !errors.Is(err, ErrDamaged) {
		t.Fatalf("damaged file: got %v, want ErrDamaged", err)
	}
	if err := os.Rename(d.Path(), d.Path()+".damaged"); err != nil {
		t.Fatal(err)
	}
	for i, err := range everyOp(d) {
		if err != nil {
			t.Errorf("op %d on a new file: got %v, want nil", i, err)
		}
	}
}
