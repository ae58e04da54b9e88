package boltstore

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// closeTimeout bounds Close on a store marked broken: a transaction that
// panicked may still hold bbolt's locks, and Close would wait for them
// forever.
const closeTimeout = time.Second

// brokenFlag remembers the first panic bbolt raised on a damaged page.
// From then on every call fails with it, so Ping reports the store not
// ready and queries get SERVFAIL, while the process keeps running.
type brokenFlag struct{ err atomic.Pointer[error] }

func (b *brokenFlag) get() error {
	if p := b.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (b *brokenFlag) set(err error) { b.err.CompareAndSwap(nil, &err) }

// run executes fn in a read or read-write transaction, committing a
// read-write one when fn succeeds. A panic inside bbolt (a page that
// contradicts its invariants, or a fault reading a file cut short under
// the mapping) becomes an error wrapping ErrCorrupt, the transaction is
// rolled back to release its locks, and the store is marked broken.
func (s *Store) run(writable bool, fn func(*bolt.Tx) error) error {
	if err := s.broken.get(); err != nil {
		return err
	}
	tx, err := s.db.Begin(writable)
	if err != nil {
		return err
	}

	err = guard(func() error {
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		if writable {
			return tx.Commit()
		}
		return tx.Rollback()
	})
	if errors.Is(err, ErrCorrupt) {
		guard(tx.Rollback)
		s.broken.set(err)
	}
	return err
}

// closeDB closes the file, giving up after closeTimeout on a broken store.
func (s *Store) closeDB() error {
	if s.broken.get() == nil {
		return s.db.Close()
	}
	done := make(chan error, 1)
	go func() { done <- guard(s.db.Close) }()
	select {
	case err := <-done:
		return err
	case <-time.After(closeTimeout):
		return fmt.Errorf("damaged store still locked after %v", closeTimeout)
	}
}
