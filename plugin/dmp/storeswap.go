package dmp

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

// swapStore is the store a started plugin holds in Dmp.Store, and which
// its write side, registration and admin handlers were given at start. It
// passes every call to the store open at that moment. A reload that fails
// after this instance released the embedded store's file reopens it and
// swaps it in here while queries run; reading one atomic pointer per call
// keeps that free of data races, and every holder sees the new store.
type swapStore struct {
	cur atomic.Pointer[storeBox]
}

// storeBox lets an interface value sit behind an atomic.Pointer.
type storeBox struct{ s store.Store }

var _ store.Store = (*swapStore)(nil)

func newSwapStore(s store.Store) *swapStore {
	h := &swapStore{}
	h.swap(s)
	return h
}

// get returns the store in use.
func (h *swapStore) get() store.Store { return h.cur.Load().s }

// swap puts s in use for every call that starts from now on.
func (h *swapStore) swap(s store.Store) { h.cur.Store(&storeBox{s: s}) }

func (h *swapStore) Lookup(ctx context.Context, zone, owner string,
	now time.Time) ([]store.Value, bool, error) {
	return h.get().Lookup(ctx, zone, owner, now)
}

func (h *swapStore) Apply(ctx context.Context, u store.Update, now time.Time) error {
	return h.get().Apply(ctx, u, now)
}

func (h *swapStore) Sweep(ctx context.Context, now time.Time) (int, error) {
	return h.get().Sweep(ctx, now)
}

func (h *swapStore) Count(ctx context.Context, zone string, now time.Time) (int64, error) {
	return h.get().Count(ctx, zone, now)
}

func (h *swapStore) PutKey(ctx context.Context, k store.Key) error {
	return h.get().PutKey(ctx, k)
}

func (h *swapStore) GetKey(ctx context.Context, name string) (store.Key, error) {
	return h.get().GetKey(ctx, name)
}

func (h *swapStore) DeleteKey(ctx context.Context, name string) error {
	return h.get().DeleteKey(ctx, name)
}

func (h *swapStore) ListKeys(ctx context.Context) ([]store.Key, error) {
	return h.get().ListKeys(ctx)
}

func (h *swapStore) AddKey(ctx context.Context, k store.Key) error {
	return h.get().AddKey(ctx, k)
}

func (h *swapStore) PutSubjectKey(ctx context.Context, k store.Key, now time.Time) error {
	return h.get().PutSubjectKey(ctx, k, now)
}

func (h *swapStore) FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	return h.get().FirstSeen(ctx, id, ttl)
}

func (h *swapStore) Allow(ctx context.Context, bucket string, limit int, window time.Duration,
	now time.Time) (bool, error) {
	return h.get().Allow(ctx, bucket, limit, window, now)
}

func (h *swapStore) PutChallenge(ctx context.Context, id string, data []byte,
	ttl time.Duration) error {
	return h.get().PutChallenge(ctx, id, data, ttl)
}

func (h *swapStore) TakeChallenge(ctx context.Context, id string) ([]byte, error) {
	return h.get().TakeChallenge(ctx, id)
}

func (h *swapStore) Ping(ctx context.Context) error { return h.get().Ping(ctx) }

// Close closes the store in use; a later swap may put another in.
func (h *swapStore) Close() error { return h.get().Close() }
