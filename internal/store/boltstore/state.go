package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	bolt "go.etcd.io/bbolt"
)

// PutKey adds or replaces a TSIG key.
func (s *Store) PutKey(ctx context.Context, k store.Key) error {
	return s.storeKey(ctx, "put key", k, false)
}

// AddKey stores k unless a key of its name is stored. The check and the
// write share one bbolt write transaction, and bbolt runs one at a time,
// so of two adds of one name exactly one stores its key.
func (s *Store) AddKey(ctx context.Context, k store.Key) error {
	return s.storeKey(ctx, "add key", k, true)
}

// storeKey writes k in one transaction; with onlyNew it refuses a name
// already stored (store.ErrKeyExists) inside that transaction.
func (s *Store) storeKey(ctx context.Context, op string, k store.Key, onlyNew bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if k.Name == "" {
		return fmt.Errorf("%w: key without a name", errBadInput)
	}
	b, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("boltstore: encode key %q: %w", k.Name, err)
	}
	return s.update(op, func(tx *bolt.Tx) error {
		if onlyNew && tx.Bucket(bucketKeys).Get([]byte(k.Name)) != nil {
			return fmt.Errorf("boltstore: key %q: %w", k.Name, store.ErrKeyExists)
		}
		return putKey(tx, k.Name, k.Subject, b)
	})
}

// GetKey returns the key called name, or store.ErrNotFound.
func (s *Store) GetKey(ctx context.Context, name string) (store.Key, error) {
	if err := ctx.Err(); err != nil {
		return store.Key{}, err
	}
	var k store.Key
	err := s.view("get key", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKeys).Get([]byte(name))
		if b == nil {
			return fmt.Errorf("key %q: %w", name, store.ErrNotFound)
		}
		return decodeKey(b, &k)
	})
	return k, err
}

// DeleteKey revokes the key called name, or returns store.ErrNotFound.
func (s *Store) DeleteKey(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update("delete key", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKeys)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("key %q: %w", name, store.ErrNotFound)
		}
		if err := unindexKey(tx, name); err != nil {
			return err
		}
		return b.Delete([]byte(name))
	})
}

// ListKeys returns every key, ordered by name.
func (s *Store) ListKeys(ctx context.Context) ([]store.Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var keys []store.Key
	err := s.view("list keys", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKeys).ForEach(func(_, v []byte) error {
			var k store.Key
			if err := decodeKey(v, &k); err != nil {
				return err
			}
			keys = append(keys, k)
			return nil
		})
	})
	return keys, err
}

func decodeKey(b []byte, k *store.Key) error {
	if err := json.Unmarshal(b, k); err != nil {
		return fmt.Errorf("decode key: %w", err)
	}
	return nil
}

// FirstSeen records id until ttl from now (wall clock) and reports
// whether it was unknown or expired.
func (s *Store) FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := time.Now().UnixMilli()
	first := false
	err := s.update("first seen", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeen)
		if v := b.Get([]byte(id)); v != nil && i64(v) > now {
			return nil
		}
		first = true
		return b.Put([]byte(id), u64(now+max(ttl.Milliseconds(), 1)))
	})
	return first, err
}

// rate is one in-memory fixed-window counter.
type rate struct {
	end time.Time
	n   int
}

// Allow counts one event in bucket's current window, the window being
// now truncated to a multiple of window since the Unix epoch.
func (s *Store) Allow(ctx context.Context, bucket string, limit int, window time.Duration,
	now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if window <= 0 {
		return false, fmt.Errorf("%w: rate window %v", errBadInput, window)
	}
	start := time.Unix(0, now.UnixNano()/int64(window)*int64(window))
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rates[bucket]
	if !now.Before(r.end) {
		r = rate{end: start.Add(window)}
	}
	r.n++
	s.rates[bucket] = r
	return r.n <= limit, nil
}

func (s *Store) sweepRates(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, r := range s.rates {
		if !now.Before(r.end) {
			delete(s.rates, k)
		}
	}
}

// PutChallenge stores data under id until ttl from now (wall clock).
func (s *Store) PutChallenge(ctx context.Context, id string, data []byte,
	ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	exp := time.Now().Add(ttl).UnixMilli()
	return s.update("put challenge", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChal).Put([]byte(id), append(u64(exp), data...))
	})
}

// TakeChallenge returns and deletes the challenge id, or store.ErrNotFound
// when it is absent or expired.
func (s *Store) TakeChallenge(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	var data []byte
	live := false
	err := s.update("take challenge", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChal)
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		live, data = i64(v) > now, bytes.Clone(v[8:])
		return b.Delete([]byte(id))
	})
	if err != nil {
		return nil, err
	}
	if !live {
		return nil, fmt.Errorf("challenge %q: %w", id, store.ErrNotFound)
	}
	return data, nil
}

var errNoChallenge = fmt.Errorf("no challenge: %w", store.ErrNotFound)
