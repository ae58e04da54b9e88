package register

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/redisstore"

	"github.com/redis/go-redis/v9"
)

// stallingStore holds every ListKeys until two callers are in it, the
// widest window a list-then-put registration could leave open.
type stallingStore struct {
	*redisstore.Store
	arrived *sync.WaitGroup
}

func (s stallingStore) ListKeys(ctx context.Context) ([]store.Key, error) {
	s.arrived.Done()
	done := make(chan struct{})
	go func() { s.arrived.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return s.Store.ListKeys(ctx)
}

// TestRegisterRaceTwoNodes confirms one subject under two Ed25519 keys at
// the same moment on two nodes sharing one Redis: exactly one wins, the
// other gets 409, and only the winner's key is stored.
func TestRegisterRaceTwoNodes(t *testing.T) {
	srv := redistest.Start(t)
	arrived := &sync.WaitGroup{}
	arrived.Add(2)
	var nodes [2]*httptest.Server
	var st *redisstore.Store
	for i := range nodes {
		st = redisstore.New(redis.NewClient(&redis.Options{Addr: srv.Addr()}))
		t.Cleanup(func() { st.Close() })
		h := New(Config{Node: "node.mesh.example", Zone: "mesh.example."},
			stallingStore{Store: st, arrived: arrived})
		nodes[i] = httptest.NewServer(h)
		t.Cleanup(nodes[i].Close)
	}

	const subject = "carol@example.org"
	bodies := [2]map[string]string{
		confirmReq(t, nodes[0], identity(t, "carol one"), subject, "node.mesh.example", false),
		confirmReq(t, nodes[1], identity(t, "carol two"), subject, "node.mesh.example", false),
	}
	var codes [2]int
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { codes[i], _ = post(t, nodes[i], bodies[i]) })
	}
	wg.Wait()

	ok, conflict := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("got statuses %v, want one 200 and one 409", codes)
	}
	keys, err := st.ListKeys(context.Background())
	if err != nil || len(keys) != 1 || keys[0].Subject != subject {
		t.Fatalf("stored %d keys (%v), want the winner's only", len(keys), err)
	}
}
