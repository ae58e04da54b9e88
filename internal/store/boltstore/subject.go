package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	bolt "go.etcd.io/bbolt"
)

// PutSubjectKey stores k unless another live key holds its subject. The
// check and the write share one bbolt write transaction, and bbolt runs
// one at a time, so concurrent registrations are serialised.
func (s *Store) PutSubjectKey(ctx context.Context, k store.Key, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if k.Name == "" || k.Subject == "" {
		return fmt.Errorf("%w: subject key without a name or subject", errBadInput)
	}
	b, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("boltstore: encode key %q: %w", k.Name, err)
	}
	return s.update("put subject key", func(tx *bolt.Tx) error {
		bucket := tx.Bucket(bucketKeys)
		var keys []store.Key
		err := bucket.ForEach(func(_, v []byte) error {
			var o store.Key
			if err := decodeKey(v, &o); err != nil {
				return err
			}
			keys = append(keys, o)
			return nil
		})
		if err != nil {
			return err
		}
		if store.SubjectTaken(keys, k, now) {
			return fmt.Errorf("boltstore: %s: %w", k.Subject, store.ErrSubjectTaken)
		}
		return bucket.Put([]byte(k.Name), b)
	})
}
