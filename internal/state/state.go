// Package state keeps the dnsmesh client's local state in one bbolt file:
// contacts, prekey secrets, the replay cache, the inbox, the intro queue
// and its deny list, seq high-water marks and DNS deletions still owed.
//
// Every change is a bbolt transaction, so a crash leaves the file as it
// was before or after a whole change. The file is opened for one
// operation at a time with a short lock timeout and closed at once, never
// held across a network wait (DECISIONS C13), so `recv --watch` and `send`
// can run side by side.
package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// LockTimeout is how long an operation waits for another process to
// release the file.
const LockTimeout = 5 * time.Second

// FileMode is the permission of a new state file.
const FileMode os.FileMode = 0o600

// ErrBusy is returned when the file stays locked past LockTimeout.
var ErrBusy = errors.New("state: file is busy in another dnsmesh process")

// ErrDamaged is returned when the file is not a readable state file.
var ErrDamaged = errors.New("state: file is damaged or not a state file")

// ErrNotFound is returned for a missing contact, prekey or intro.
var ErrNotFound = errors.New("state: not found")

// Bucket names. Keys are described where each bucket is used.
var (
	bContacts = []byte("contacts")
	bPrekeys  = []byte("prekeys")
	bSeen     = []byte("seen")
	bInbox    = []byte("inbox")
	bIntros   = []byte("intros")
	bDeny     = []byte("denylist")
	bSeq      = []byte("seq")
	bDeletes  = []byte("deletes")
	bMeta     = []byte("meta")
	allBucket = [][]byte{bContacts, bPrekeys, bSeen, bInbox, bIntros, bDeny, bSeq,
		bDeletes, bMeta}
)

// schemaVersion is stored in meta; a file with a newer one is refused.
const schemaVersion = 1

// DB names a state file. It holds no open handle between operations.
type DB struct {
	path    string
	timeout time.Duration
}

// Open returns the state at path. The file is created on first use.
func Open(path string) *DB { return &DB{path: path, timeout: LockTimeout} }

// Path returns the file path.
func (d *DB) Path() string { return d.path }

// Update runs fn in one read-write transaction; fn's error rolls it back.
func (d *DB) Update(fn func(*Tx) error) error {
	return d.run(true, fn)
}

// View runs fn in one read-only transaction.
func (d *DB) View(fn func(*Tx) error) error {
	return d.run(false, fn)
}

// run opens the file, runs fn in a transaction and closes the file.
// A damaged file is reported as ErrDamaged, never as a panic or a crash
// (see guard).
func (d *DB) run(write bool, fn func(*Tx) error) error {
	if err := checkSize(d.path); err != nil {
		return err
	}
	if err := knownDamaged(d.path); err != nil {
		return err
	}
	ft := &fileTracker{path: d.path}
	return guard(d.path, func() error { return d.runGuarded(write, fn, ft) }, ft.release)
}

func (d *DB) runGuarded(write bool, fn func(*Tx) error, ft *fileTracker) error {
	db, err := bolt.Open(d.path, FileMode, &bolt.Options{Timeout: d.timeout,
		OpenFile: ft.open})
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("%w: %s", ErrBusy, d.path)
	}
	if errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrChecksum) ||
		errors.Is(err, bolt.ErrVersionMismatch) {
		return fmt.Errorf("%w: %s: %w", ErrDamaged, d.path, err)
	}
	if err != nil {
		return fmt.Errorf("state: open %s: %w", d.path, err)
	}
	defer db.Close()

	if err := verify(db, d.path); err != nil {
		return err
	}
	if err := db.Update(initBuckets); err != nil {
		return err
	}
	body := func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) }
	if write {
		return db.Update(body)
	}
	return db.View(body)
}

// checkSize refuses a file that exists but is shorter than one page, such
// as one truncated to 0 bytes by a full disk: bbolt would quietly start a
// new, empty state over it and the contacts, inbox and prekey secrets
// would be gone without a word. A missing file is fine; it is created.
func checkSize(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if fi.Mode().IsRegular() && fi.Size() < int64(os.Getpagesize()) {
		return fmt.Errorf("%w: %s: %d bytes, shorter than one page", ErrDamaged, path,
			fi.Size())
	}
	return nil
}

// initBuckets creates missing buckets and checks the schema version.
func initBuckets(tx *bolt.Tx) error {
	for _, name := range allBucket {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("state: create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bMeta)
	v := meta.Get([]byte("schema"))
	if v == nil {
		return meta.Put([]byte("schema"), u64(schemaVersion))
	}
	if len(v) != 8 || be64(v) > schemaVersion {
		return fmt.Errorf("state: file schema is newer than this dnsmesh understands")
	}
	return nil
}

// Tx is one transaction on the state.
type Tx struct {
	tx *bolt.Tx
}

func (t *Tx) b(name []byte) *bolt.Bucket { return t.tx.Bucket(name) }

// u64 encodes v big-endian so byte order is numeric order.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// be64 decodes a big-endian uint64; b must be 8 bytes.
func be64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}
