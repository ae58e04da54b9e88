package register

import (
	"context"
	"sync"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// memStore is an in-memory Store for the tests.
type memStore struct {
	mu     sync.Mutex
	keys   map[string]store.Key
	chals  map[string][]byte
	counts map[string]int
}

func newMemStore() *memStore {
	return &memStore{keys: map[string]store.Key{}, chals: map[string][]byte{},
		counts: map[string]int{}}
}

func (m *memStore) PutKey(_ context.Context, k store.Key) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[k.Name] = k
	return nil
}

func (m *memStore) PutSubjectKey(_ context.Context, k store.Key, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := make([]store.Key, 0, len(m.keys))
	for _, o := range m.keys {
		all = append(all, o)
	}
	if store.SubjectTaken(all, k, now) {
		return store.ErrSubjectTaken
	}
	m.keys[k.Name] = k
	return nil
}

func (m *memStore) GetKey(_ context.Context, name string) (store.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[name]
	if !ok {
		return store.Key{}, store.ErrNotFound
	}
	return k, nil
}

func (m *memStore) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return true, nil
}

func (m *memStore) ListKeys(context.Context) ([]store.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Key
	for _, k := range m.keys {
		out = append(out, k)
	}
	return out, nil
}

func (m *memStore) PutChallenge(_ context.Context, id string, data []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chals[id] = data
	return nil
}

func (m *memStore) TakeChallenge(_ context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.chals[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	delete(m.chals, id)
	return d, nil
}

func (m *memStore) Allow(_ context.Context, bucket string, limit int, _ time.Duration,
	_ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[bucket]++
	return m.counts[bucket] <= limit, nil
}

func (m *memStore) Ping(context.Context) error { return nil }
