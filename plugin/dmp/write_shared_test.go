package dmp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
	"github.com/dnsmesh/dmp/pkg/regapi"

	"github.com/miekg/dns"
)

// TestNodesShareRedis runs two nodes on one real Redis (DECISIONS N13):
// a signed UPDATE accepted at node A is a replay at node B, and a
// registration challenge node A issued is confirmed at node B, once.
func TestNodesShareRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and two coredns-dmp")
	}
	needTool(t, "redis-server")
	rdb := redistest.Start(t).Addr()
	a, b := startWriteNodeOn(t, rdb, ""), startWriteNodeOn(t, rdb, "")
	_, err := a.admin.Add(context.Background(), admin.NewKey{Name: rawKey,
		Secret: nodeKeySecret, Scope: []string{"chunk-0020-0123456789ab.example.org"}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("replay at the other node", func(t *testing.T) { checkSharedReplay(t, a, b) })
	t.Run("challenge confirmed at the other node", func(t *testing.T) {
		checkSharedChallenge(t, a, b)
	})
}

// checkSharedReplay sends one signed add to a, then its very bytes to b.
func checkSharedReplay(t *testing.T, a, b *writeNode) {
	owner := "chunk-0020-0123456789ab.example.org."
	value := chunkValue(t, 20)
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{txtAdd(owner, value)})
	m.SetEdns0(1232, false)
	wire, mac := signAs(t, rawKey, nodeKeySecret, m, time.Now())

	signedReply(t, a, "tcp", wire, mac, dns.RcodeSuccess)
	if got := b.values(t, owner, "udp"); len(got) != 1 || got[0] != value {
		t.Fatalf("node B serves %v, want the value added at node A", got)
	}
	r := signedReply(t, b, "tcp", wire, mac, dns.RcodeRefused)
	if got := edeText(r); got != "replayed TSIG MAC" {
		t.Fatalf("node B refused the replay with %q, want %q", got, "replayed TSIG MAC")
	}
}

// checkSharedChallenge fetches a challenge from a, confirms it at b, uses
// the minted key at a, and checks the challenge is spent at a too.
func checkSharedChallenge(t *testing.T, a, b *writeNode) {
	seed := sha256.Sum256([]byte("shared registration user"))
	id, err := keys.FromX25519(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	var ch regapi.Challenge
	if status, _ := httpJSON(t, http.MethodGet, "http://"+a.HTTP+regapi.ChallengePath, nil,
		&ch); status != http.StatusOK {
		t.Fatalf("challenge at node A: status %d", status)
	}
	body := confirmFor(t, &ch, "erin@example.org", id)

	var minted regapi.Minted
	if status, _ := httpJSON(t, http.MethodPost, "http://"+b.HTTP+regapi.TSIGConfirmPath,
		body, &minted); status != http.StatusOK || minted.KeyName == "" {
		t.Fatalf("confirm at node B: status %d, %+v", status, minted)
	}
	publishIdentity(t, a, &minted, "erin", id)
	status, reason := httpJSON(t, http.MethodPost, "http://"+a.HTTP+regapi.TSIGConfirmPath,
		body, nil)
	if status != http.StatusBadRequest || reason != "challenge expired or unknown" {
		t.Fatalf("the challenge confirmed at node B, again at node A: %d %q, want 400 "+
			"for a spent challenge", status, reason)
	}
}

// publishIdentity adds user's identity at n, signed with the minted key,
// and checks n serves it.
func publishIdentity(t *testing.T, n *writeNode, minted *regapi.Minted, user string,
	id *keys.Identity) {
	t.Helper()
	rec := records.Identity{Username: user, TS: uint64(time.Now().Unix())}
	copy(rec.X25519[:], id.X25519Public)
	copy(rec.Ed25519[:], id.Ed25519Public)
	value, err := rec.Sign(id.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(minted.SecretHex)
	if err != nil {
		t.Fatal(err)
	}
	secret := base64.StdEncoding.EncodeToString(key)
	owner := names.IdentityHashed(user, "example.org") + "."
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{txtAdd(owner, value)})
	wire, mac := signAs(t, minted.KeyName, secret, m, time.Now())
	raw, r := rawExchange(t, "tcp", n.Addr, wire)
	if r.Rcode != dns.RcodeSuccess {
		t.Fatalf("identity with the minted key: got %s", dns.RcodeToString[r.Rcode])
	}
	if err := dns.TsigVerify(raw, secret, mac, false); err != nil {
		t.Fatalf("reply to the minted key: %v", err)
	}
	if got := n.values(t, owner, "udp"); len(got) != 1 || got[0] != value {
		t.Fatalf("identity served: got %v", got)
	}
}

// confirmFor builds the tsig-confirm body for ch as the reference client
// does: the Ed25519 signature of the payload and the X25519 proof.
func confirmFor(t *testing.T, ch *regapi.Challenge, subject string,
	id *keys.Identity) *regapi.ConfirmRequest {
	t.Helper()
	nonce, err := hex.DecodeString(ch.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	serverPub, err := hex.DecodeString(ch.ServerPub)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := id.SharedSecret(serverPub)
	if err != nil {
		t.Fatal(err)
	}
	return &regapi.ConfirmRequest{
		Subject:    subject,
		Ed25519SPK: hex.EncodeToString(id.Ed25519Public),
		Challenge:  ch.Challenge,
		Signature:  hex.EncodeToString(id.Sign(regapi.SigningPayload(nonce, subject, ch.Node))),
		X25519Pub:  hex.EncodeToString(id.X25519Public),
		X25519PoP: hex.EncodeToString(regapi.PossessionMAC(shared, nonce, subject,
			id.X25519Public)),
	}
}

// httpJSON sends body as JSON and decodes a 200 reply into out, or
// another reply's {"error": ...} into the reason it returns.
func httpJSON(t *testing.T, method, url string, body, out any) (int, string) {
	t.Helper()
	var rd bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&rd).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, &rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, ""
}
