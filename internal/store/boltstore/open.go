package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrCorrupt is returned by Open for a file that is not a usable bbolt
// database: cut short, with damaged pages or meta pages, or not a bbolt
// file at all. The store reports later damage found while serving as
// store.ErrUnavailable wrapping ErrCorrupt.
var ErrCorrupt = errors.New("store file is damaged")

// corruptHint follows ErrCorrupt in Open's error: what the operator can do.
const corruptHint = "; restore it from a backup, or move it away to start with an empty store"

// maxCheckErrors bounds how many of bbolt's consistency errors Open quotes.
const maxCheckErrors = 3

// The bbolt meta page layout (go.etcd.io/bbolt internal/common, format
// version 2), in the machine's byte order: a 16-byte page header, then
// magic u32 || version u32 || pageSize u32 || flags u32 || root u64 ||
// sequence u64 || freelist u64 || pgid u64 || txid u64 || checksum u64,
// the checksum being FNV-1a 64 over the 56 bytes before it.
const (
	pageHeaderSize = 16
	metaMagic      = 0xED0CDAED
	metaVersion    = 2
	metaSumOffset  = 56
	metaSize       = metaSumOffset + 8
	noFreelist     = ^uint64(0)
)

// meta is what checkSize needs from a meta page.
type meta struct {
	pageSize uint64
	freelist uint64
	pgid     uint64 // high water mark: pages 0..pgid-1 are in use
	txid     uint64
	root     uint64
}

// openChecked opens path with bbolt after checking that the file is whole,
// recovers a bbolt panic on a damaged file, and runs bbolt's page check
// (tx.Check) before the store is used. The check reads every page in use
// once, so its cost grows with the file: about 140 ms for a 230 MB file
// holding 100 000 values when the file is in the page cache (2 cores),
// plus one read of the file from a cold disk. It is paid at startup and
// on reload only. tx.Check walks the pages on a goroutine of its own,
// which guard's fault handling does not cover; checkSize has ruled out
// the pages past the end of the file that could fault.
func openChecked(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	if err := checkSize(path); err != nil {
		return nil, fmt.Errorf("%w%s", err, corruptHint)
	}

	var file *os.File
	o := *opts
	o.OpenFile = func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, mode)
		file = f
		return f, err
	}
	err = guard(func() error {
		db, err = bolt.Open(path, 0o600, &o)
		return err
	})
	if errors.Is(err, ErrCorrupt) && db == nil && file != nil {
		file.Close() // bbolt panicked holding the file and its lock
	}
	if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) ||
		errors.Is(err, bolterrors.ErrVersionMismatch) {
		err = fmt.Errorf("%w (%w)", ErrCorrupt, err)
	}
	if errors.Is(err, ErrCorrupt) {
		return nil, fmt.Errorf("%w%s", err, corruptHint)
	}
	if err != nil {
		return nil, err
	}

	if err := checkPages(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w%s", err, corruptHint)
	}
	return db, nil
}

// checkSize reads the meta pages and refuses a file shorter than its
// high water mark: bbolt maps the missing pages and fails on them later
// (zero pages fail its assertions; pages past the end fault). A file that
// is empty or whose meta pages do not parse is left to bbolt.
func checkSize(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}

	m, ok := newestMeta(f)
	if !ok {
		return nil
	}
	size := uint64(fi.Size())
	if m.pgid > size/m.pageSize {
		return fmt.Errorf("%w: file has %d bytes, its meta page says %d pages of %d bytes",
			ErrCorrupt, size, m.pgid, m.pageSize)
	}
	if m.root >= m.pgid || (m.freelist != noFreelist && m.freelist >= m.pgid) {
		return fmt.Errorf("%w: meta page points past its %d pages", ErrCorrupt, m.pgid)
	}
	return nil
}

// newestMeta returns the valid meta page with the highest transaction id,
// as bbolt picks it. The second meta page sits one page in; its page size
// is taken from the first meta page, else from the usual sizes.
func newestMeta(r io.ReaderAt) (meta, bool) {
	best, ok := readMeta(r, 0)
	sizes := []uint64{4096, 8192, 16384, 32768, 65536}
	if ok {
		sizes = []uint64{best.pageSize}
	}
	for _, ps := range sizes {
		m, found := readMeta(r, int64(ps))
		if found && m.pageSize == ps && (!ok || m.txid > best.txid) {
			return m, true
		}
	}
	return best, ok
}

// readMeta parses the meta page at off and reports whether it is valid.
func readMeta(r io.ReaderAt, off int64) (meta, bool) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
		return meta{}, false
	}
	b := buf[pageHeaderSize:]
	u32 := func(i int) uint32 { return binary.NativeEndian.Uint32(b[i:]) }
	u64 := func(i int) uint64 { return binary.NativeEndian.Uint64(b[i:]) }

	h := fnv.New64a()
	h.Write(b[:metaSumOffset])
	if u32(0) != metaMagic || u32(4) != metaVersion || h.Sum64() != u64(metaSumOffset) {
		return meta{}, false
	}
	m := meta{pageSize: uint64(u32(8)), root: u64(16), freelist: u64(32), pgid: u64(40),
		txid: u64(48)}
	return m, m.pageSize >= pageHeaderSize+metaSize
}

// checkPages runs bbolt's consistency check over the whole file.
func checkPages(db *bolt.DB) error {
	var errs []error
	err := guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				if len(errs) < maxCheckErrors {
					errs = append(errs, e)
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrCorrupt, errors.Join(errs...))
	}
	return nil
}

// guard runs fn and turns a panic inside it, including a memory fault
// reading the mapped file, into an error wrapping ErrCorrupt. bbolt
// panics on pages that contradict its invariants instead of returning
// errors.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	return fn()
}
