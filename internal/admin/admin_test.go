package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
)

type memKeys struct {
	mu   sync.Mutex
	keys map[string]store.Key
}

func (m *memKeys) PutKey(_ context.Context, k store.Key) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[k.Name] = k
	return nil
}

func (m *memKeys) GetKey(_ context.Context, name string) (store.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[name]
	if !ok {
		return store.Key{}, store.ErrNotFound
	}
	return k, nil
}

func (m *memKeys) DeleteKey(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[name]; !ok {
		return store.ErrNotFound
	}
	delete(m.keys, name)
	return nil
}

func (m *memKeys) ListKeys(context.Context) ([]store.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Key
	for _, k := range m.keys {
		out = append(out, k)
	}
	return out, nil
}

func setup(t *testing.T) (*Client, *memKeys) {
	t.Helper()
	st := &memKeys{keys: map[string]store.Key{}}
	now := func() time.Time { return time.Unix(1_900_000_000, 0) }
	srv := httptest.NewServer(New("s3cret-token", st, []string{"mesh.example.", "other.example."}, now,
		nil))
	t.Cleanup(srv.Close)
	return &Client{URL: srv.URL, Token: "s3cret-token", HTTP: srv.Client()}, st
}

func TestAddListRevoke(t *testing.T) {
	c, st := setup(t)
	ctx := context.Background()
	added, err := c.Add(ctx, NewKey{Name: "Ops.Mesh.Example", TTL: 3600,
		Scope: []string{"Mesh.Example.", "slot-*.mb-*.mesh.example"}, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if added.Name != "ops.mesh.example." || added.Algorithm != "hmac-sha256." ||
		len(added.Secret) != 44 || added.Expires.Unix() != 1_900_003_600 ||
		len(added.Warnings) != 1 {
		t.Fatalf("got %+v, want one zone-wide warning", added)
	}
	stored, _ := st.GetKey(ctx, "ops.mesh.example.")
	if stored.Secret != added.Secret || strings.Join(stored.Scope, ",") !=
		"mesh.example,slot-*.mb-*.mesh.example" {
		t.Fatalf("stored %+v", stored)
	}

	list, err := c.List(ctx)
	if err != nil || len(list) != 1 || list[0].Secret != "" || list[0].Name != added.Name {
		t.Fatalf("list: got %+v, %v", list, err)
	}
	if err := c.Revoke(ctx, "ops.mesh.example."); err != nil {
		t.Fatal(err)
	}
	err = c.Revoke(ctx, "ops.mesh.example.")
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("second revoke: got %v, want HTTP 404", err)
	}
	if list, _ := c.List(ctx); len(list) != 0 {
		t.Fatalf("got %d keys after revoke, want 0", len(list))
	}
}

func TestAddRefusals(t *testing.T) {
	c, st := setup(t)
	cases := []struct {
		name string
		nk   NewKey
	}{
		{"no scope", NewKey{Name: "a.mesh.example."}},
		{"bad scope", NewKey{Name: "a.mesh.example.", Scope: []string{"a b"}}},
		{"md5", NewKey{Name: "a.mesh.example.", Algorithm: "hmac-md5.sig-alg.reg.int.",
			Scope: []string{"mesh.example"}}},
		{"short secret", NewKey{Name: "a.mesh.example.", Secret: "c2hvcnQ=",
			Scope: []string{"mesh.example"}}},
		{"bad name", NewKey{Name: "a..b", Scope: []string{"mesh.example"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Add(context.Background(), tc.nk)
			if err == nil || !strings.Contains(err.Error(), "400") {
				t.Fatalf("got %v, want HTTP 400", err)
			}
			if ks, _ := st.ListKeys(context.Background()); len(ks) != 0 {
				t.Fatalf("got %d keys, want 0", len(ks))
			}
		})
	}
}

// TestZoneWide checks that scopes covering a served zone's apex or every
// name below it are refused with 409 unless forced, then warned about,
// whatever their shape, and that other scopes pass without a warning.
func TestZoneWide(t *testing.T) {
	cases := []struct {
		name  string
		scope string
		wide  bool
	}{
		{"apex", "mesh.example", true},
		{"apex with dot and case", "Other.Example.", true},
		{"parent of a zone", "example", true},
		{"star", "*", true},
		{"star label", "*.mesh.example", true},
		{"stars label", "**.other.example", true},
		{"star apex", "*.example", true},
		{"mailbox slots", "slot-*.mb-*.mesh.example", false},
		{"one identity", "id-0123456789abcdef.mesh.example", false},
		{"ops subtree", "ops.mesh.example", false},
		{"prefix label", "a*.mesh.example", false},
		{"two levels down", "*.*.mesh.example", false},
		{"unserved zone", "elsewhere.example", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, st := setup(t)
			ctx := context.Background()
			nk := NewKey{Name: "k.mesh.example.", Scope: []string{tc.scope}}
			_, err := c.Add(ctx, nk)
			var se *StatusError
			refused := errors.As(err, &se) && se.Status == http.StatusConflict
			if refused != tc.wide || (err != nil && !refused) {
				t.Fatalf("unforced: got %v, want refused=%v", err, tc.wide)
			}
			if ks, _ := st.ListKeys(ctx); len(ks) != map[bool]int{true: 0, false: 1}[tc.wide] {
				t.Fatalf("unforced: got %d keys stored", len(ks))
			}

			nk.Force = true
			added, err := c.Add(ctx, nk)
			if err != nil || (len(added.Warnings) > 0) != tc.wide {
				t.Fatalf("forced: got %+v, %v; want warnings=%v", added, err, tc.wide)
			}
		})
	}
}

func TestToken(t *testing.T) {
	c, _ := setup(t)
	c.Token = "wrong"
	if _, err := c.List(context.Background()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("got %v, want HTTP 401", err)
	}
}

func TestCheckLoopback(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8054", true},
		{"[::1]:8054", true},
		{"localhost:8054", true},
		{"0.0.0.0:8054", false},
		{":8054", false},
		{"192.0.2.1:8054", false},
		{"nonsense", false},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			if err := CheckLoopback(c.addr); (err == nil) != c.ok {
				t.Fatalf("got %v, want ok=%v", err, c.ok)
			}
		})
	}
}
