package boltstore

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Sweep deletes every value expired at now, the index rows only they kept,
// and expired replay-cache ids and challenges.
func (s *Store) Sweep(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	nowMs := now.UnixMilli()
	total := 0
	err := s.update("sweep", func(tx *bolt.Tx) error {
		total = 0
		err := tx.Bucket(bucketZones).ForEachBucket(func(zone []byte) error {
			z := readZone(tx, string(zone))
			n, err := z.sweep(string(zone), nowMs)
			total += n
			return err
		})
		if err != nil {
			return err
		}
		for _, name := range [][]byte{bucketSeen, bucketChal} {
			if err := purge(tx.Bucket(name), nowMs); err != nil {
				return err
			}
		}
		return nil
	})
	s.sweepRates(now)
	return total, err
}

// sweep removes the expired values of one zone.
func (z *zb) sweep(zone string, nowMs int64) (int, error) {
	type gone struct{ owner, value string }
	var dead []gone
	c := z.exp.Cursor()
	for k, _ := c.First(); k != nil && i64(k) <= nowMs; k, _ = c.Next() {
		owner, value, _ := bytes.Cut(k[8:], []byte{0})
		dead = append(dead, gone{string(owner), string(value)})
	}
	touched := make(map[string]bool)
	for _, d := range dead {
		if err := z.remove(d.owner, d.value); err != nil {
			return 0, err
		}
		touched[d.owner] = true
	}
	for owner := range touched {
		if err := z.refresh(zone, owner); err != nil {
			return 0, err
		}
	}
	return len(dead), nil
}

// purge deletes the rows of b whose 8-byte expiry prefix is not after nowMs.
func purge(b *bolt.Bucket, nowMs int64) error {
	var dead [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		if i64(v) <= nowMs {
			dead = append(dead, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range dead {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Count returns the number of live values in zone.
func (s *Store) Count(ctx context.Context, zone string, now time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	nowMs := now.UnixMilli()
	var n int64
	err := s.view("count", func(tx *bolt.Tx) error {
		z := readZone(tx, zone)
		if z == nil {
			return nil
		}
		n = i64(z.meta.Get(keyCount))
		c := z.exp.Cursor()
		for k, _ := c.First(); k != nil && i64(k) <= nowMs; k, _ = c.Next() {
			n--
		}
		return nil
	})
	return n, err
}
