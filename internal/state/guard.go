package state

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// checkLimit is the largest file whose every page is read and checked
// each time it is opened. A client's state is usually far smaller; past
// the limit only the pages an operation touches are checked, as they
// are read.
const checkLimit = 4 << 20

// guard runs op so that damage in the file comes back as ErrDamaged
// instead of ending the process. bbolt reads the file through a memory
// map and trusts what it finds: a damaged page makes it panic ("invalid
// freelist page", an index out of range), and a page past the end of a
// truncated file faults (SIGBUS or SIGSEGV), which Go turns into a panic
// only while debug.SetPanicOnFault is on. Both are recovered here. A
// panic from a bug in a transaction's own code is reported the same way,
// with the panic's text kept in the error. After a panic, cleanup runs;
// it must release what op left open.
func guard(path string, op func() error, cleanup func()) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			cleanup()
			err = fmt.Errorf("%w: %s: %v", ErrDamaged, path, r)
		}
	}()
	return op()
}

// damaged remembers, per path, the file found damaged by a panic in this
// process. When bbolt panics inside Open its memory map of the file is
// never unmapped, and the map keeps the file's lock held: a later open
// would wait for the lock and report ErrBusy. So the same file is
// refused at once with ErrDamaged; a new file at the path (the old one
// moved aside) is opened as usual.
var damaged sync.Map // path -> os.FileInfo

// knownDamaged returns the remembered error if path is still the file
// found damaged.
func knownDamaged(path string) error {
	v, ok := damaged.Load(path)
	if !ok {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil || !os.SameFile(fi, v.(os.FileInfo)) {
		damaged.Delete(path)
		return nil
	}
	return fmt.Errorf("%w: %s: found damaged earlier in this process", ErrDamaged, path)
}

// fileTracker hands bbolt its file and remembers it, so the file can be
// closed when bbolt panics inside Open, before it returns a handle that
// could be closed, and so the file can be remembered as damaged.
type fileTracker struct {
	path string
	f    *os.File
}

func (ft *fileTracker) open(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err == nil {
		ft.f = f
	}
	return f, err
}

// release closes the file if bbolt had opened it. Closing it again after
// bbolt did only returns an error, ignored here.
func (ft *fileTracker) release() {
	if ft.f == nil {
		return
	}
	if fi, err := ft.f.Stat(); err == nil {
		damaged.Store(ft.path, fi)
	}
	_ = ft.f.Close()
}

// verify reads every page of a small file before it is used: each key and
// value of every bucket, then bbolt's own consistency check (freelist,
// page reachability). A fault or panic while doing so is caught by guard.
// Check reads in its own goroutine, where a fault could not be caught, so
// it runs only after the walk has touched every reachable page.
func verify(db *bolt.DB, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if fi.Size() > checkLimit {
		return nil
	}
	err = db.View(func(tx *bolt.Tx) error {
		if err := tx.ForEach(walkBucket); err != nil {
			return err
		}
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDamaged, path, err)
	}
	return nil
}

// walkBucket reads every key and value of b and of its nested buckets.
func walkBucket(_ []byte, b *bolt.Bucket) error {
	var sum byte
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return walkBucket(k, nb)
			}
		}
		for _, c := range v {
			sum ^= c // touch each byte, so a page past the file's end faults here
		}
		return nil
	})
}
