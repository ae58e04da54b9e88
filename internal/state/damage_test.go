package state

import (
	"errors"
	"fmt"
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
