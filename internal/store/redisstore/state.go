package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

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
