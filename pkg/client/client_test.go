package client

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

func init() { UseLowCostKDFForTests() }

// memDNS is an in-memory TXT store answering reads and applying changes
// with a DMP node's append semantics, for tests of the client's logic.
// The end-to-end tests in cmd/dnsmesh run the same flows on a real node.
type memDNS struct {
	mu   sync.Mutex
	data map[string][]string
}

func (m *memDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.data[strings.ToLower(name)]...), nil
}

func (m *memDNS) Apply(_ context.Context, changes ...dnsio.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range changes {
		o := strings.ToLower(c.Owner)
		switch c.Op {
		case dnsio.Add:
			if !contains(m.data[o], c.Value) {
				m.data[o] = append(m.data[o], c.Value)
			}
		case dnsio.DeleteValue:
			var keep []string
			for _, v := range m.data[o] {
				if v != c.Value {
					keep = append(keep, v)
				}
			}
			m.data[o] = keep
		case dnsio.DeleteAll:
			delete(m.data, o)
		}
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// newUser makes a client with its own state file on the shared DNS.
func newUser(t *testing.T, dns *memDNS, user string) *Client {
	t.Helper()
	salt := fmt.Sprintf("%x", []byte("salt/"+user+"/padding"))
	id, err := Derive("pass "+user, salt)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Username: user, Domain: "mesh.example", KDFSalt: salt}
	return &Client{Cfg: cfg, ID: id, Reader: dns, Writer: dns,
		State: state.Open(filepath.Join(t.TempDir(), "state.db"))}
}

func mustPin(t *testing.T, c *Client, addr string) {
	t.Helper()
	user, host, cands, err := c.FetchIdentity(context.Background(), addr)
	if err != nil {
		t.Fatalf("fetch %s: %v", addr, err)
	}
	cand, err := Choose(cands, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddContact(user, host, cand); err != nil {
		t.Fatal(err)
	}
}

func TestSendReceive(t *testing.T) {
	ctx := context.Background()
	dns := &memDNS{data: map[string][]string{}}
	alice, bob := newUser(t, dns, "alice"), newUser(t, dns, "bob")
	for _, c := range []*Client{alice, bob} {
		if _, err := c.PublishIdentity(ctx, time.Hour, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bob.RefreshPrekeys(ctx, 3, time.Hour); err != nil {
		t.Fatal(err)
	}
	mustPin(t, alice, "bob@mesh.example")
	mustPin(t, bob, "alice@mesh.example")

	res, err := alice.Send(ctx, "bob@mesh.example", []byte("hello bob"), DefaultMessageTTL)
	if err != nil {
		t.Fatal(err)
	}
	if res.PrekeyID == 0 || res.Version != 2 {
		t.Fatalf("got prekey %d version %d, want a prekey and version 2", res.PrekeyID, res.Version)
	}

	var used state.Prekey
	bob.State.View(func(tx *state.Tx) error {
		used, err = tx.Prekey(res.PrekeyID)
		return nil
	})
	if err != nil {
		t.Fatalf("bob holds no secret for prekey %d: %v", res.PrekeyID, err)
	}

	got, err := bob.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Inbox) != 1 || string(got.Inbox[0].Body) != "hello bob" ||
		got.Inbox[0].Contact != "alice@mesh.example" {
		t.Fatalf("got %+v, want one message from alice", got.Inbox)
	}
	again, _ := bob.Receive(ctx)
	if len(again.Inbox)+len(again.Intros) != 0 {
		t.Fatalf("second receive got %d messages, want 0", len(again.Inbox))
	}

	// The used prekey is gone from DNS; its secret is marked consumed and
	// its delete confirmed, which starts its grace window (consume.go).
	pool, _ := dns.LookupTXT(ctx, names.PrekeyPool("bob", "mesh.example"))
	bob.State.View(func(tx *state.Tx) error {
		p, err := tx.Prekey(res.PrekeyID)
		if err != nil || p.Consumed == 0 || p.Deleted == 0 {
			t.Errorf("used prekey got %+v, %v; want it consumed and its delete confirmed",
				p, err)
		}
		return nil
	})
	for _, v := range pool {
		if v == used.Wire {
			t.Error("used prekey still published")
		}
	}
	if len(pool) < PrekeyLowWater {
		t.Errorf("pool has %d prekeys after top-up, want at least %d", len(pool), PrekeyLowWater)
	}

	// A reply the other way, longer than one chunk.
	long := strings.Repeat("0123456789", 120)
	res2, err := bob.Send(ctx, "alice", []byte(long), time.Hour)
	if err != nil || res2.Chunks < 2 {
		t.Fatalf("reply got %+v, %v; want several chunks", res2, err)
	}
	if res2.PrekeyID != 0 {
		t.Fatalf("alice published no prekeys, yet prekey %d was used", res2.PrekeyID)
	}
	got, _ = alice.Receive(ctx)
	if len(got.Inbox) != 1 || string(got.Inbox[0].Body) != long {
		t.Fatalf("alice got %d messages, want the long reply", len(got.Inbox))
	}
	// No prekey was consumed, so only the replay cache stops a second copy.
	again, _ = alice.Receive(ctx)
	if len(again.Inbox) != 0 || again.Dropped["replay"] == 0 {
		t.Fatalf("second receive got %d messages, drops %v; want 0 and a replay drop",
			len(again.Inbox), again.Dropped)
	}
}

func TestUnpinnedSenderGoesToIntroQueue(t *testing.T) {
	ctx := context.Background()
	dns := &memDNS{data: map[string][]string{}}
	bob, carol := newUser(t, dns, "bob"), newUser(t, dns, "carol")
	alice := newUser(t, dns, "alice")
	for _, c := range []*Client{alice, bob, carol} {
		c.PublishIdentity(ctx, time.Hour, true)
	}
	mustPin(t, bob, "alice@mesh.example")
	mustPin(t, carol, "bob@mesh.example")
	if _, err := carol.Send(ctx, "bob@mesh.example", []byte("hi, it's carol"), time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := bob.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Inbox) != 0 || len(got.Intros) != 1 {
		t.Fatalf("got %d inbox, %d intros; want 0 and 1", len(got.Inbox), len(got.Intros))
	}
	if got.Intros[0].Label != "carol@mesh.example" {
		t.Fatalf("intro label got %q, want the verified carol@mesh.example", got.Intros[0].Label)
	}
	m, err := bob.TrustIntro(got.Intros[0].ID, "")
	if err != nil || string(m.Body) != "hi, it's carol" {
		t.Fatalf("trust got %+v, %v", m, err)
	}
	inbox, _ := bob.Inbox()
	if len(inbox) != 1 || inbox[0].Contact != "carol@mesh.example" {
		t.Fatalf("inbox got %+v, want carol's message", inbox)
	}
}

// countingDNS counts the reads a memDNS serves.
type countingDNS struct {
	*memDNS
	mu    sync.Mutex
	reads int
}

func (c *countingDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.memDNS.LookupTXT(ctx, name)
}

// TestClaimFloodIsBounded fills every claim name of bob's with validly
// signed claims that point at manifests in many zones that do not exist,
// as any anonymous writer can, and checks that a poll stays cheap and the
// real message still arrives.
func TestClaimFloodIsBounded(t *testing.T) {
	ctx := context.Background()
	mem := &memDNS{data: map[string][]string{}}
	alice, bob, mallory := newUser(t, mem, "alice"), newUser(t, mem, "bob"),
		newUser(t, mem, "mallory")
	for _, c := range []*Client{alice, bob} {
		c.PublishIdentity(ctx, time.Hour, true)
	}
	mustPin(t, alice, "bob@mesh.example")
	mustPin(t, bob, "alice@mesh.example")

	rid := bob.ID.UserID()
	now := time.Now()
	for slot := range names.SlotCount {
		for i := range 64 {
			cl := &records.Claim{Domain: fmt.Sprintf("z%d.example", i%40), Slot: uint8(slot),
				TS: uint64(now.Unix()), Exp: uint64(now.Add(time.Hour).Unix())}
			cl.MsgID[0], cl.MsgID[1] = byte(slot), byte(i)
			copy(cl.SenderSPK[:], mallory.ID.Ed25519Public)
			wire, err := cl.Sign(mallory.ID.Ed25519)
			if err != nil {
				t.Fatal(err)
			}
			mem.Apply(ctx, dnsio.Change{Op: dnsio.Add, Owner: names.Claim(slot, rid[:],
				"mesh.example"), Value: wire})
		}
	}
	if _, err := alice.Send(ctx, "bob", []byte("through the flood"), time.Hour); err != nil {
		t.Fatal(err)
	}

	counter := &countingDNS{memDNS: mem}
	bob.Reader = counter
	got, err := bob.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Inbox) != 1 || string(got.Inbox[0].Body) != "through the flood" {
		t.Fatalf("got %d messages, want alice's", len(got.Inbox))
	}
	// Claims, the own walk and alice's zone, plus the slots of at most
	// maxClaimZones claim zones, plus a few identity reads.
	if limit := 3*names.SlotCount + maxClaimZones*names.SlotCount + 10; counter.reads > limit {
		t.Fatalf("one poll made %d reads, want at most %d", counter.reads, limit)
	}
	if got.Dropped["too-many-claim-zones"] == 0 {
		t.Fatalf("drops %v, want too-many-claim-zones", got.Dropped)
	}
}
