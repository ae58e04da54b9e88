package register

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/tsigauth"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/regapi"

	"github.com/miekg/dns"
)

func identity(t *testing.T, seed string) *keys.Identity {
	t.Helper()
	sum := sha256.Sum256([]byte(seed))
	id, err := keys.FromX25519(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newServer(t *testing.T, cfg Config) (*httptest.Server, *memStore) {
	t.Helper()
	st := newMemStore()
	if cfg.Node == "" {
		cfg.Node = "node.mesh.example"
	}
	if cfg.Zone == "" {
		cfg.Zone = "mesh.example."
	}
	srv := httptest.NewServer(New(cfg, st))
	t.Cleanup(srv.Close)
	return srv, st
}

// TestRegisterWithClient registers with the project's own client and then
// signs an UPDATE with the minted key, which the TSIG verifier accepts.
func TestRegisterWithClient(t *testing.T) {
	srv, st := newServer(t, Config{KeyLifetime: 90 * 24 * time.Hour})
	id := identity(t, "alice")
	m, err := dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
		"Alice@Example.org", id)
	if err == nil {
		t.Fatal("got a key for a non-canonical subject signature, want refusal")
	}
	m, err = dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
		"alice@example.org", id)
	if err != nil {
		t.Fatal(err)
	}

	spk := hex.EncodeToString(id.Ed25519Public)
	wantName := "alice-" + spk[:8] + "-" + hexSHA("alice@example.org")[:6] + ".mesh.example."
	if m.KeyName != wantName || m.Algorithm != "hmac-sha256" || m.Zone != "mesh.example" {
		t.Fatalf("got %+v, want key %s", m, wantName)
	}
	mailbox := "mb-" + id.MailboxHash() + ".mesh.example"
	if m.Suffixes[len(m.Suffixes)-1] != mailbox || len(m.Suffixes) != 8 {
		t.Fatalf("got scope %v, want 8 patterns ending in %s", m.Suffixes, mailbox)
	}

	k, err := st.GetKey(context.Background(), m.KeyName)
	if err != nil || k.Subject != "alice@example.org" || !bytes.Equal(k.SignKey, id.Ed25519Public) {
		t.Fatalf("stored key %+v, %v", k, err)
	}
	checkKeyWorks(t, st, m)
}

func checkKeyWorks(t *testing.T, st *memStore, m *dnsio.Minted) {
	t.Helper()
	secret, _ := hex.DecodeString(m.SecretHex)
	msg := new(dns.Msg)
	msg.SetUpdate("mesh.example.")
	now := time.Now()
	msg.SetTsig(m.KeyName, dns.HmacSHA256, 300, now.Unix())
	wire, _, err := dns.TsigGenerate(msg, b64(secret), "", false)
	if err != nil {
		t.Fatal(err)
	}
	in := new(dns.Msg)
	if err := in.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	v := &tsigauth.Verifier{Keys: st}
	s, err := v.Verify(context.Background(), in, now)
	if err != nil || s.Error != 0 {
		t.Fatalf("minted key does not verify: %+v, %v", s, err)
	}
}

// confirmReq performs GET challenge and returns a signed confirm body.
func confirmReq(t *testing.T, srv *httptest.Server, id *keys.Identity, subject, node string,
	withPoP bool) map[string]string {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/v1/registration/challenge")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ch regapi.Challenge
	if err := json.NewDecoder(resp.Body).Decode(&ch); err != nil {
		t.Fatal(err)
	}
	nonce, _ := hex.DecodeString(ch.Challenge)
	body := map[string]string{
		"subject":     subject,
		"ed25519_spk": hex.EncodeToString(id.Ed25519Public),
		"challenge":   ch.Challenge,
		"signature":   hex.EncodeToString(id.Sign(regapi.SigningPayload(nonce, subject, node))),
	}
	if withPoP {
		body["x25519_pub"] = hex.EncodeToString(id.X25519Public)
		body["x25519_pop"] = strings.Repeat("00", 32)
	}
	return body
}

func post(t *testing.T, srv *httptest.Server, body any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := srv.Client().Post(srv.URL+"/v1/registration/tsig-confirm",
		"application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Error
}

func TestConfirmRefusals(t *testing.T) {
	alice := identity(t, "alice")
	mallory := identity(t, "mallory")
	const node = "node.mesh.example"
	cases := []struct {
		name   string
		cfg    Config
		body   func(*httptest.Server) any
		status int
	}{
		{"wrong node signed", Config{}, func(s *httptest.Server) any {
			return confirmReq(t, s, alice, "alice@example.org", "other.node", false)
		}, http.StatusUnauthorized},
		{"bad proof of possession", Config{}, func(s *httptest.Server) any {
			return confirmReq(t, s, alice, "alice@example.org", node, true)
		}, http.StatusUnauthorized},
		{"unknown challenge", Config{}, func(s *httptest.Server) any {
			b := confirmReq(t, s, alice, "alice@example.org", node, false)
			b["challenge"] = strings.Repeat("ab", 32)
			return b
		}, http.StatusBadRequest},
		{"missing field", Config{}, func(s *httptest.Server) any {
			b := confirmReq(t, s, alice, "alice@example.org", node, false)
			delete(b, "signature")
			return b
		}, http.StatusBadRequest},
		{"bad subject", Config{}, func(s *httptest.Server) any {
			return confirmReq(t, s, alice, "alice", node, false)
		}, http.StatusBadRequest},
		{"long local part", Config{}, func(s *httptest.Server) any {
			return confirmReq(t, s, alice, strings.Repeat("a", 48)+"@example.org", node, false)
		}, http.StatusBadRequest},
		{"not allowlisted", Config{Allow: []string{"example.com"}}, func(s *httptest.Server) any {
			return confirmReq(t, s, alice, "alice@example.org", node, false)
		}, http.StatusForbidden},
		{"not JSON", Config{}, func(*httptest.Server) any { return "x" }, http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, st := newServer(t, c.cfg)
			if got, msg := post(t, srv, c.body(srv)); got != c.status {
				t.Fatalf("got %d (%s), want %d", got, msg, c.status)
			}
			if ks, _ := st.ListKeys(context.Background()); len(ks) != 0 {
				t.Fatalf("got %d keys stored, want 0", len(ks))
			}
		})
	}

	t.Run("takeover and replay", func(t *testing.T) {
		srv, st := newServer(t, Config{})
		body := confirmReq(t, srv, alice, "alice@example.org", node, false)
		if got, msg := post(t, srv, body); got != http.StatusOK {
			t.Fatalf("first registration: got %d (%s)", got, msg)
		}
		if got, _ := post(t, srv, body); got != http.StatusBadRequest {
			t.Fatalf("replayed challenge: got %d, want 400", got)
		}
		other := confirmReq(t, srv, mallory, "alice@example.org", node, false)
		if got, _ := post(t, srv, other); got != http.StatusConflict {
			t.Fatalf("takeover: got %d, want 409", got)
		}
		again := confirmReq(t, srv, alice, "alice@example.org", node, false)
		if got, _ := post(t, srv, again); got != http.StatusOK {
			t.Fatalf("re-registration: got %d, want 200", got)
		}
		if ks, _ := st.ListKeys(context.Background()); len(ks) != 1 {
			t.Fatalf("got %d keys, want 1", len(ks))
		}
	})
}

func TestScopes(t *testing.T) {
	const spk = "00112233445566778899aabbccddeeff"
	h := hexSHA("alice")
	if got := suffixes(ScopeLoose, "alice", spk, "z.example", nil); len(got) != 1 ||
		got[0] != "z.example" {
		t.Fatalf("loose: got %v", got)
	}
	tight := suffixes(ScopeTight, "alice", spk, "z.example", nil)
	want := []string{"id-" + h[:16] + ".z.example", "id-" + h[:12] + ".z.example",
		"_dnsmesh-claim-0011223344556677.z.example"}
	if strings.Join(tight, ",") != strings.Join(want, ",") {
		t.Fatalf("tight: got %v, want %v", tight, want)
	}
}

func TestHealth(t *testing.T) {
	srv, _ := newServer(t, Config{})
	resp, err := srv.Client().Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d, want 200", resp.StatusCode)
	}
	resp, err = srv.Client().Get(srv.URL + "/v1/registration/confirm")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("got %d, want 404", resp.StatusCode)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
