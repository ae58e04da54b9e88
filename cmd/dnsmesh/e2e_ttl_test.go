package main

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/redisstore"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/redis/go-redis/v9"
)

// ttlNode starts Redis and a node on it, like e2eNode, and returns a
// store on the same Redis to read the expiry the node stored.
func ttlNode(t *testing.T) (*nodetest.Node, store.Store) {
	t.Helper()
	n, r := startE2ENode(t, nil)
	s := redisstore.New(redis.NewClient(&redis.Options{Addr: r.Addr()}))
	t.Cleanup(func() { s.Close() })
	return n, s
}

// stored is what the node holds for a sent message's manifest.
type stored struct {
	lifetime time.Duration // manifest exp - ts, the signed lifetime
	left     time.Duration // how long the node still keeps the record
}

// storedManifest reads the manifest of res, addressed to recipient, from
// the node's store and returns its signed lifetime and stored expiry.
func storedManifest(t *testing.T, s store.Store, recipient *user,
	res client.SendResult) stored {
	t.Helper()
	rid := mailboxID(t, recipient)
	owner := names.Slot(res.Slot, rid[:], e2eZone) + "."
	now := time.Now()
	vals, _, err := s.Lookup(context.Background(), e2eZone+".", owner, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		m, err := records.ParseManifest(v.Data, now)
		if err == nil && hex.EncodeToString(m.MsgID[:]) == res.MsgID {
			return stored{lifetime: time.Duration(m.Exp-m.TS) * time.Second,
				left: v.Expires.Sub(now)}
		}
	}
	t.Fatalf("no manifest of message %s at %s: %v", res.MsgID, owner, vals)
	return stored{}
}

// TestSendTTL: the default lifetime is 23h and --ttl changes it, both in
// the signed manifest and in what the node stores; over 24h warns, and
// the node (max_ttl 24h by default) indeed keeps it no longer. DNS
// answers carry the node's cache TTL (60s), not the stored lifetime, so
// the expiry is read from the node's Redis.
func TestSendTTL(t *testing.T) {
	n, st := ttlNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	alice.ok("identity", "fetch", bob.addr(), "--add")
	const margin = time.Minute // the test's own run time
	for _, tc := range []struct {
		args     []string
		lifetime time.Duration
		kept     time.Duration
		warns    bool
	}{
		{nil, 23 * time.Hour, 23 * time.Hour, false},
		{[]string{"--ttl", "2h"}, 2 * time.Hour, 2 * time.Hour, false},
		{[]string{"--ttl", "30h"}, 30 * time.Hour, 24 * time.Hour, true},
	} {
		args := append([]string{"send", bob.addr(), "ttl test", "--json"}, tc.args...)
		out, errs := alice.ok(args...)
		res := decodeSend(t, out)
		if got := strings.Contains(errs, "nodes commonly cap stored lifetimes at 24h"); got !=
			tc.warns {
			t.Errorf("send %v: stderr %q, want the 24h cap warning: %v", tc.args, errs, tc.warns)
		}
		if want := time.Now().Add(tc.lifetime).Unix(); res.Expires < want-60 ||
			res.Expires > want {
			t.Errorf("send %v: expires %d, want about %d", tc.args, res.Expires, want)
		}
		if !strings.HasPrefix(res.Claim, "published at") {
			t.Errorf("send %v: claim %q, want it published", tc.args, res.Claim)
		}
		s := storedManifest(t, st, bob, res)
		if s.lifetime != tc.lifetime || s.left > tc.kept || s.left < tc.kept-margin {
			t.Errorf("send %v: manifest lifetime %s, kept %s; want %s and %s",
				tc.args, s.lifetime, s.left.Round(time.Second), tc.lifetime, tc.kept)
		}
	}
}

// mailboxID is u's user id, which names its mailbox: the hash of the key
// in its config's verify_pubkey.
func mailboxID(t *testing.T, u *user) [keys.UserIDSize]byte {
	t.Helper()
	cfg, err := config.Load(u.home)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := hex.DecodeString(cfg.VerifyPubkey)
	if err != nil {
		t.Fatal(err)
	}
	return keys.UserID(pub)
}
