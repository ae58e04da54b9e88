// Package boltstore implements store.Store on an embedded bbolt file: the
// node's default store when no Redis is configured (DECISIONS N11), with
// the same semantics as package redisstore.
//
// Every Apply is one bbolt read-write transaction, committed and synced to
// disk before Apply returns, so an acknowledged update survives SIGKILL.
// bbolt holds an exclusive lock on the file while it is open; Open fails
// with ErrLocked after Options.Timeout when another process has it.
//
// Layout: a top-level bucket "zones" holds one bucket per zone, each with
//
//	rr    owner \x00 value         -> expiry (8-byte big-endian unix ms) + writer
//	exp   expiry + owner \x00 value -> ""   (expiry order, for Sweep and Count)
//	tree  name                     -> latest expiry at or below name
//	kids  ancestor \x00 owner      -> latest expiry at owner
//	wv    writer \x00 owner \x00 value -> expiry (the writer quota)
//	meta  "n"                      -> number of rr entries, live or not
//
// "tree" holds each owner with values and each of its ancestors below the
// apex, so Lookup answers "exists" for empty non-terminals (DECISIONS N3)
// with one read; "kids" lets an ancestor's entry be recomputed after a
// delete. Top-level buckets "keys" (name -> JSON), "subj" (subject \x00
// name -> "", see subject.go), "seen" (id -> expiry) and "chal" (id ->
// expiry + data) hold the shared state. Rate buckets
// live in memory: only one process can open the file, so they are as
// shared as they need to be, and a restart resets them.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("store file is locked by another process")

// DefaultTimeout is how long Open waits for the file lock by default.
const DefaultTimeout = time.Second

// Options tune Open.
type Options struct {
	// Timeout bounds the wait for the file lock; 0 means DefaultTimeout.
	Timeout time.Duration
}

// Store is a store.Store on one bbolt file.
type Store struct {
	db     *bolt.DB
	broken brokenFlag // set when bbolt panicked on a damaged page

	mu    sync.Mutex // guards rates
	rates map[string]rate
}

var _ store.Store = (*Store)(nil)

var (
	bucketZones = []byte("zones")
	bucketKeys  = []byte("keys")
	bucketSeen  = []byte("seen")
	bucketChal  = []byte("chal")
)

// Open opens or creates the store file at path.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	db, err := openChecked(path, &bolt.Options{Timeout: opts.Timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: %w (waited %v)", path, ErrLocked,
			opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketZones, bucketKeys, bucketSeen, bucketChal} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return buildSubjectIndex(tx)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: init %s: %w", path, err)
	}
	return &Store{db: db, rates: make(map[string]rate)}, nil
}

// Ping reports whether the file is open.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view("ping", func(*bolt.Tx) error { return nil })
}

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.closeDB(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// view and update run fn in a transaction; errors that are not the
// contract's own (prerequisite, caps, not found) mean the file cannot be
// used and wrap store.ErrUnavailable.
func (s *Store) view(op string, fn func(*bolt.Tx) error) error {
	return wrap(op, s.run(false, fn))
}

func (s *Store) update(op string, fn func(*bolt.Tx) error) error {
	return wrap(op, s.run(true, fn))
}

func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrPrereq), errors.Is(err, store.ErrOwnerFull),
		errors.Is(err, store.ErrQuota), errors.Is(err, store.ErrNotFound),
		errors.Is(err, errBadInput), errors.Is(err, store.ErrSubjectTaken),
		errors.Is(err, store.ErrKeyExists):
		return err
	}
	return fmt.Errorf("boltstore: %s: %w: %w", op, store.ErrUnavailable, err)
}

// errBadInput marks caller mistakes (an owner outside its zone).
var errBadInput = errors.New("boltstore: bad input")
