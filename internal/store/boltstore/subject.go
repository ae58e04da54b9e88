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

// bucketSubj indexes keys by subject: subject \x00 name -> "". PutKey,
// AddKey, DeleteKey and PutSubjectKey keep it in step with bucketKeys in
// the same transaction, so PutSubjectKey reads only the keys of one
// subject.
var bucketSubj = []byte("subj")

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
		keys, err := subjectKeys(tx, k.Subject)
		if err != nil {
			return err
		}
		if store.SubjectTaken(keys, k, now) {
			return fmt.Errorf("boltstore: %s: %w", k.Subject, store.ErrSubjectTaken)
		}
		return putKey(tx, k.Name, k.Subject, b)
	})
}

// subjectKeys returns the keys the index lists under subject.
func subjectKeys(tx *bolt.Tx, subject string) ([]store.Key, error) {
	prefix := join(subject, "")
	keys := tx.Bucket(bucketKeys)
	var out []store.Key
	c := tx.Bucket(bucketSubj).Cursor()
	for ik, _ := c.Seek(prefix); ik != nil && bytes.HasPrefix(ik, prefix); ik, _ = c.Next() {
		v := keys.Get(ik[len(prefix):])
		if v == nil {
			return nil, fmt.Errorf("subject index names missing key %q", ik[len(prefix):])
		}
		var k store.Key
		if err := decodeKey(v, &k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// putKey stores the encoded key b under name and moves its index entry
// to subject (none when empty).
func putKey(tx *bolt.Tx, name, subject string, b []byte) error {
	if err := unindexKey(tx, name); err != nil {
		return err
	}
	if err := tx.Bucket(bucketKeys).Put([]byte(name), b); err != nil {
		return err
	}
	if subject == "" {
		return nil
	}
	return tx.Bucket(bucketSubj).Put(join(subject, name), nil)
}

// unindexKey drops the index entry of the key stored under name, if any.
func unindexKey(tx *bolt.Tx, name string) error {
	v := tx.Bucket(bucketKeys).Get([]byte(name))
	if v == nil {
		return nil
	}
	var old store.Key
	if err := decodeKey(v, &old); err != nil {
		return err
	}
	if old.Subject == "" {
		return nil
	}
	return tx.Bucket(bucketSubj).Delete(join(old.Subject, name))
}

// buildSubjectIndex creates the index in a file written before it
// existed, from the stored keys; a file that has it is left alone.
func buildSubjectIndex(tx *bolt.Tx) error {
	if tx.Bucket(bucketSubj) != nil {
		return nil
	}
	idx, err := tx.CreateBucket(bucketSubj)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketKeys).ForEach(func(name, v []byte) error {
		var k store.Key
		if err := decodeKey(v, &k); err != nil {
			return err
		}
		if k.Subject == "" {
			return nil
		}
		return idx.Put(join(k.Subject, string(name)), nil)
	})
}
