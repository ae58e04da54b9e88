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

	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/redisstore"

	"github.com/redis/go-redis/v9"
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

func (m *memKeys) AddKey(_ context.Context, k store.Key) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[k.Name]; ok {
		return store.ErrKeyExists
	}
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
	zones := []string{"mesh.example.", "other.example."}
	srv := httptest.NewServer(New("s3cret-token", st, zones, now, nil))
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
		{"name with a space", NewKey{Name: "bad name", Scope: []string{"a.mesh.example"}}},
		{"escaped name", NewKey{Name: `a\032b.mesh.example.`, Scope: []string{"a.mesh.example"}}},
		{"root name", NewKey{Name: ".", Scope: []string{"a.mesh.example"}}},
		{"bad base64", NewKey{Name: "a.mesh.example.", Secret: "not base64!",
			Scope: []string{"a.mesh.example"}}},
		{"root scope", NewKey{Name: "a.mesh.example.", Scope: []string{"."}}},
		{"negative ttl", NewKey{Name: "a.mesh.example.", TTL: -3600,
			Scope: []string{"a.mesh.example"}}},
		{"overflowing ttl", NewKey{Name: "a.mesh.example.", TTL: 1 << 62,
			Scope: []string{"a.mesh.example"}}},
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

// TestCheck checks NewKey.Check, which dmpctl runs before any request,
// on what the endpoint accepts and refuses with 400.
func TestCheck(t *testing.T) {
	long := strings.Repeat("a", 63)
	cases := []struct {
		name string
		nk   NewKey
		want string // "" for valid
	}{
		{"minimal", NewKey{Name: "k", Scope: []string{"k"}}, ""},
		{"everything", NewKey{Name: " Relay_1.Mesh-X.Example. ", Algorithm: "HMAC-SHA512",
			Secret: "YWxpY2Utc2VjcmV0LWFsaWNlLXNlY3JldC0xMjM0NTY=", TTL: 1,
			Scope: []string{"slot-*.mb-*.mesh.example"}}, ""},
		{"longest name", NewKey{Name: strings.Join([]string{long, long, long,
			long[:61]}, "."), Scope: []string{"k"}}, ""},
		{"empty name", NewKey{Scope: []string{"k"}}, "want a domain name"},
		{"long name", NewKey{Name: strings.Join([]string{long, long, long, long[:62]}, "."),
			Scope: []string{"k"}}, "want a domain name"},
		{"long label", NewKey{Name: long + "a.example", Scope: []string{"k"}}, "long label"},
		{"space", NewKey{Name: "bad name", Scope: []string{"k"}}, `bad character ' '`},
		{"star", NewKey{Name: "*.example", Scope: []string{"k"}}, `bad character '*'`},
		{"utf-8", NewKey{Name: "ké.example", Scope: []string{"k"}}, "bad character"},
		{"md5", NewKey{Name: "k", Algorithm: "hmac-md5", Scope: []string{"k"}},
			"want hmac-sha256, hmac-sha512"},
		{"truncated", NewKey{Name: "k", Algorithm: "hmac-sha256-128", Scope: []string{"k"}},
			"not supported"},
		{"no scope", NewKey{Name: "k"}, "at least one scope"},
		{"dot scope", NewKey{Name: "k", Scope: []string{"."}}, "length"},
		{"space scope", NewKey{Name: "k", Scope: []string{"k", "a b"}}, "bad character"},
		{"bad base64", NewKey{Name: "k", Secret: "not base64!", Scope: []string{"k"}},
			"base64"},
		{"negative ttl", NewKey{Name: "k", TTL: -1, Scope: []string{"k"}}, "ttl_seconds -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.nk.Check()
			if (tc.want == "") != (err == nil) || err != nil &&
				!strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// TestRevokeOddName checks that a key stored under a name the endpoint
// no longer adds (an older node took "bad name") can still be revoked.
func TestRevokeOddName(t *testing.T) {
	c, st := setup(t)
	ctx := context.Background()
	st.PutKey(ctx, store.Key{Name: "bad name.", Scope: []string{"mesh.example"}})
	if err := c.Revoke(ctx, "Bad Name."); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetKey(ctx, "bad name."); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after revoke: got %v, want ErrNotFound", err)
	}
}

// TestAddFractionalTTL checks that a ttl_seconds that is not a whole
// number is refused rather than rounded to 0, a key that never expires.
func TestAddFractionalTTL(t *testing.T) {
	c, st := setup(t)
	body := `{"name":"a.mesh.example.","scope":["a.mesh.example"],"ttl_seconds":0.5}`
	req, err := http.NewRequest(http.MethodPost, c.URL+"/v1/keys", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ks, _ := st.ListKeys(context.Background()); resp.StatusCode != http.StatusBadRequest ||
		len(ks) != 0 {
		t.Fatalf("got HTTP %d and %d keys, want 400 and none", resp.StatusCode, len(ks))
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
			refused := errors.As(err, &se) && se.Status == http.StatusConflict &&
				se.Code == CodeZoneWide
			if refused != tc.wide || (err != nil && !refused) {
				t.Fatalf("unforced: got %v, want refused=%v", err, tc.wide)
			}
			if ks, _ := st.ListKeys(ctx); len(ks) != map[bool]int{true: 0, false: 1}[tc.wide] {
				t.Fatalf("unforced: got %d keys stored", len(ks))
			}

			nk.Force, nk.Replace = true, true
			added, err := c.Add(ctx, nk)
			if err != nil || (len(added.Warnings) > 0) != tc.wide || added.Replaced == tc.wide {
				t.Fatalf("forced: got %+v, %v; want warnings=%v, replaced=%v", added, err,
					tc.wide, !tc.wide)
			}
		})
	}
}

// TestAddExisting checks that adding a name that has a key is refused
// with 409 and CodeKeyExists, leaving the key as it was, and that Replace
// replaces it and says so.
func TestAddExisting(t *testing.T) {
	c, st := setup(t)
	ctx := context.Background()
	first, err := c.Add(ctx, NewKey{Name: "ops.mesh.example.", Scope: []string{"ops.mesh.example"}})
	if err != nil || first.Replaced {
		t.Fatalf("first add: got %+v, %v", first, err)
	}

	again := NewKey{Name: "OPS.mesh.example", Scope: []string{"x.mesh.example"}, TTL: 60,
		Secret: "YW5vdGhlci1zZWNyZXQtb2YtMzItYnl0ZXMtbG9uZyE="}
	_, err = c.Add(ctx, again)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusConflict || se.Code != CodeKeyExists ||
		se.Reason != "key ops.mesh.example. exists; revoke it first, or pass --replace" {
		t.Fatalf("second add: got %#v, want 409 %s", err, CodeKeyExists)
	}
	if k, _ := st.GetKey(ctx, "ops.mesh.example."); k.Secret != first.Secret ||
		k.Scope[0] != "ops.mesh.example" || !k.Expires.IsZero() {
		t.Fatalf("after the refused add: stored %+v, want the first key", k)
	}

	again.Replace = true
	got, err := c.Add(ctx, again)
	if err != nil || !got.Replaced || got.Secret != again.Secret {
		t.Fatalf("replace: got %+v, %v; want replaced with the new secret", got, err)
	}
	if k, _ := st.GetKey(ctx, "ops.mesh.example."); k.Secret != again.Secret ||
		k.Scope[0] != "x.mesh.example" || k.Expires.Unix() != 1_900_000_060 {
		t.Fatalf("after replace: stored %+v, want the new key", k)
	}
}

// TestAddConcurrent sends many adds of one new name at once: exactly one
// is stored and every other is refused as existing.
func TestAddConcurrent(t *testing.T) {
	c, st := setup(t)
	raceAdds(t, []*Client{c}, st)
}

// TestAddConcurrentTwoNodes races adds of one new name through two admin
// endpoints, each on its own client of one real Redis, as two nodes
// sharing it are: the store's AddKey lets exactly one win.
func TestAddConcurrentTwoNodes(t *testing.T) {
	srv := redistest.Start(t)
	var clients []*Client
	var stores []*redisstore.Store
	for range 2 {
		st := redisstore.New(redis.NewClient(&redis.Options{Addr: srv.Addr()}))
		t.Cleanup(func() { _ = st.Close() })
		h := httptest.NewServer(New("s3cret-token", st, []string{"mesh.example."}, nil, nil))
		t.Cleanup(h.Close)
		clients = append(clients, &Client{URL: h.URL, Token: "s3cret-token", HTTP: h.Client()})
		stores = append(stores, st)
	}
	raceAdds(t, clients, stores[0])
}

// raceAdds sends many adds of one new name at once, spread over clients,
// and checks exactly one is stored in st and every other is refused as
// existing.
func raceAdds(t *testing.T, clients []*Client, st Store) {
	t.Helper()
	const n = 16
	secrets := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		c := clients[i%len(clients)]
		wg.Go(func() {
			<-start
			k, err := c.Add(context.Background(), NewKey{Name: "race.mesh.example.",
				Scope: []string{"race.mesh.example"}})
			secrets[i], errs[i] = k.Secret, err
		})
	}
	close(start)
	wg.Wait()

	stored, err := st.GetKey(context.Background(), "race.mesh.example.")
	if err != nil {
		t.Fatalf("GetKey after the race: %v", err)
	}
	won := 0
	for i, err := range errs {
		var se *StatusError
		switch {
		case err == nil && secrets[i] == stored.Secret:
			won++
		case !errors.As(err, &se) || se.Code != CodeKeyExists:
			t.Fatalf("add %d: got %v (secret %q), want stored or %s", i, err, secrets[i],
				CodeKeyExists)
		}
	}
	if won != 1 {
		t.Fatalf("%d adds won, want exactly 1", won)
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
