package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/redis/go-redis/v9"
)

// PutKey adds or replaces a TSIG key.
func (s *Store) PutKey(ctx context.Context, k store.Key) error {
	if k.Name == "" {
		return fmt.Errorf("redisstore: key without a name")
	}
	b, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("redisstore: encode key %q: %w", k.Name, err)
	}
	return unavailable("put key", s.c.HSet(ctx, keyTSIG, k.Name, b).Err())
}

// GetKey returns the key called name, or store.ErrNotFound.
func (s *Store) GetKey(ctx context.Context, name string) (store.Key, error) {
	b, err := s.c.HGet(ctx, keyTSIG, name).Bytes()
	if isNil(err) {
		return store.Key{}, fmt.Errorf("redisstore: key %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return store.Key{}, unavailable("get key", err)
	}
	return decodeKey(b)
}

// DeleteKey revokes the key called name, or returns store.ErrNotFound.
func (s *Store) DeleteKey(ctx context.Context, name string) error {
	n, err := s.c.HDel(ctx, keyTSIG, name).Result()
	if err != nil {
		return unavailable("delete key", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: key %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// ListKeys returns every key, ordered by name.
func (s *Store) ListKeys(ctx context.Context) ([]store.Key, error) {
	all, err := s.c.HGetAll(ctx, keyTSIG).Result()
	if err != nil {
		return nil, unavailable("list keys", err)
	}
	keys := make([]store.Key, 0, len(all))
	for _, v := range all {
		k, err := decodeKey([]byte(v))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b store.Key) int { return strings.Compare(a.Name, b.Name) })
	return keys, nil
}

func decodeKey(b []byte) (store.Key, error) {
	var k store.Key
	if err := json.Unmarshal(b, &k); err != nil {
		return store.Key{}, fmt.Errorf("redisstore: decode key: %w", err)
	}
	return k, nil
}

// FirstSeen records id for ttl with SET NX PX and reports whether it was
// new.
func (s *Store) FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	ok, err := s.c.SetNX(ctx, seenPfx+id, 1, atLeastMs(ttl)).Result()
	return ok, unavailable("first seen", err)
}

// Allow counts one event in bucket's window (now truncated to a multiple
// of window since the Unix epoch); the counter expires one window after
// its first event.
func (s *Store) Allow(ctx context.Context, bucket string, limit int, window time.Duration,
	now time.Time) (bool, error) {
	if window <= 0 {
		return false, fmt.Errorf("redisstore: rate window %v", window)
	}
	start := now.UnixNano() / int64(window) * int64(window) / int64(time.Millisecond)
	key := ratePfx + bucket + ":" + ms(start)
	n, err := rateScript.Run(ctx, s.c, []string{key}, atLeastMs(window).Milliseconds()).Int()
	if err != nil {
		return false, unavailable("allow", err)
	}
	return n <= limit, nil
}

// PutChallenge stores data under id for ttl.
func (s *Store) PutChallenge(ctx context.Context, id string, data []byte,
	ttl time.Duration) error {
	return unavailable("put challenge", s.c.Set(ctx, chalPfx+id, data, atLeastMs(ttl)).Err())
}

// TakeChallenge returns and deletes the challenge id (GETDEL), or
// store.ErrNotFound.
func (s *Store) TakeChallenge(ctx context.Context, id string) ([]byte, error) {
	b, err := s.c.GetDel(ctx, chalPfx+id).Bytes()
	if isNil(err) {
		return nil, fmt.Errorf("redisstore: challenge %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, unavailable("take challenge", err)
	}
	return b, nil
}

// atLeastMs rounds d up to one millisecond, Redis's smallest expiry.
func atLeastMs(d time.Duration) time.Duration {
	return max(d, time.Millisecond)
}

// subjectRetries bounds the optimistic retries of PutSubjectKey when other
// writers keep changing the key hash.
const subjectRetries = 50

// PutSubjectKey stores k unless another live key holds its subject. The
// key hash is WATCHed while it is read and checked, and k goes in with
// MULTI/EXEC, which fails if any node changed the hash in between; the
// whole step is then retried.
//
// TODO(#5): this reads every key per registration; keep a subject index
// (subject -> key names) in the same WATCHed step once key counts grow.
func (s *Store) PutSubjectKey(ctx context.Context, k store.Key, now time.Time) error {
	if k.Name == "" || k.Subject == "" {
		return fmt.Errorf("redisstore: subject key without a name or subject")
	}
	b, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("redisstore: encode key %q: %w", k.Name, err)
	}
	put := func(tx *redis.Tx) error {
		keys, err := readKeys(tx.HGetAll(ctx, keyTSIG))
		if err != nil {
			return err
		}
		if store.SubjectTaken(keys, k, now) {
			return fmt.Errorf("redisstore: %s: %w", k.Subject, store.ErrSubjectTaken)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			return p.HSet(ctx, keyTSIG, k.Name, b).Err()
		})
		return err
	}
	for range subjectRetries {
		err = s.c.Watch(ctx, put, keyTSIG)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	if err == nil || errors.Is(err, store.ErrSubjectTaken) {
		return err
	}
	return unavailable("put subject key", err)
}

// readKeys decodes the reply of HGETALL on the key hash.
func readKeys(cmd *redis.MapStringStringCmd) ([]store.Key, error) {
	all, err := cmd.Result()
	if err != nil {
		return nil, err
	}
	keys := make([]store.Key, 0, len(all))
	for _, v := range all {
		k, err := decodeKey([]byte(v))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}
