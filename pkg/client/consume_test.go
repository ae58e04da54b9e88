package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/message"
	"github.com/dnsmesh/dmp/pkg/names"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// sharedPrekeyUsers returns dave with a single published prekey (30 days)
// and the given senders, all pinned both ways, on one clock.
func sharedPrekeyUsers(t *testing.T, senders ...string) (*memDNS, *clock, *Client,
	[]*Client) {
	t.Helper()
	ctx := context.Background()
	dns := &memDNS{data: map[string][]string{}}
	clk := &clock{t: time.Now()}
	dave := newUser(t, dns, "dave")
	var cs []*Client
	for _, name := range senders {
		cs = append(cs, newUser(t, dns, name))
	}
	for _, c := range append([]*Client{dave}, cs...) {
		c.Now = clk.now
		if _, err := c.PublishIdentity(ctx, 60*24*time.Hour, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dave.RefreshPrekeys(ctx, 1, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		mustPin(t, c, "dave@mesh.example")
		mustPin(t, dave, c.Cfg.Username+"@mesh.example")
	}
	return dns, clk, dave, cs
}

// Two senders seal to the same one-time prekey before dave receives:
// both messages open, once each (issue #6 P1).
func TestSharedPrekeyBothOpen(t *testing.T) {
	ctx := context.Background()
	_, _, dave, cs := sharedPrekeyUsers(t, "alice", "carol")
	var ids []uint32
	for _, c := range cs {
		res, err := c.Send(ctx, "dave", []byte("from "+c.Cfg.Username), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.PrekeyID)
	}
	if ids[0] == 0 || ids[0] != ids[1] {
		t.Fatalf("prekeys used got %v, want the same one twice", ids)
	}
	got, err := dave.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]bool{}
	for _, m := range got.Inbox {
		bodies[string(m.Body)] = true
	}
	if len(got.Inbox) != 2 || !bodies["from alice"] || !bodies["from carol"] {
		t.Fatalf("inbox got %d messages %v, want alice's and carol's", len(got.Inbox), bodies)
	}
	if len(got.Unopened) != 0 {
		t.Fatalf("unopened got %+v, want none", got.Unopened)
	}
	again, _ := dave.Receive(ctx)
	if len(again.Inbox) != 0 || len(again.Unopened) != 0 {
		t.Fatalf("second receive got %d messages, %d unopened; want none",
			len(again.Inbox), len(again.Unopened))
	}
}

// The secret of a consumed prekey opens late messages sealed to it until
// its window ends (delete confirmed + margin + MaxMessageTTL), then is
// erased; a message sealed to it after that is reported, not dropped.
func TestConsumedPrekeyWindow(t *testing.T) {
	ctx := context.Background()
	dns, clk, dave, cs := sharedPrekeyUsers(t, "alice", "erin", "frank")
	alice, erin, frank := cs[0], cs[1], cs[2]
	pool := names.PrekeyPool("dave", "mesh.example")
	stale := dns.data[pool][0] // what a resolver's cache may still hand out

	res, err := alice.Send(ctx, "dave", []byte("first"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := dave.Receive(ctx); len(got.Inbox) != 1 {
		t.Fatalf("got %d messages, want alice's", len(got.Inbox))
	}
	var p state.Prekey
	dave.State.View(func(tx *state.Tx) error {
		p, err = tx.Prekey(res.PrekeyID)
		return err
	})
	if err != nil || p.Deleted == 0 {
		t.Fatalf("prekey got %+v, %v; want its delete confirmed", p, err)
	}
	eraseAt := time.Unix(p.Deleted, 0).Add(PrekeyGraceMargin + MaxMessageTTL)

	sealStale := func(c *Client, at time.Time, body string) {
		t.Helper()
		clk.t = at
		dns.data[pool] = []string{stale}
		r, err := c.Send(ctx, "dave", []byte(body), time.Hour)
		if err != nil || r.PrekeyID != res.PrekeyID {
			t.Fatalf("send got %+v, %v; want it sealed to prekey %d", r, err, res.PrekeyID)
		}
	}

	sealStale(erin, eraseAt.Add(-time.Minute), "late but in time")
	got, _ := dave.Receive(ctx)
	if len(got.Inbox) != 1 || string(got.Inbox[0].Body) != "late but in time" {
		t.Fatalf("inside the window got %d messages, %+v unopened; want erin's",
			len(got.Inbox), got.Unopened)
	}
	if !holdsPrekey(t, dave, res.PrekeyID) {
		t.Fatal("secret erased inside its window")
	}

	sealStale(frank, eraseAt.Add(time.Minute), "too late")
	got, _ = dave.Receive(ctx)
	if holdsPrekey(t, dave, res.PrekeyID) {
		t.Error("secret still held after its window")
	}
	if len(got.Inbox) != 0 || len(got.Unopened) != 1 {
		t.Fatalf("after the window got %d messages, %d unopened; want 0 and 1",
			len(got.Inbox), len(got.Unopened))
	}
	u := got.Unopened[0]
	if u.Contact != "frank@mesh.example" || !errors.Is(u.Err, message.ErrPrekeyUnavailable) {
		t.Fatalf("unopened got %s: %v, want frank@mesh.example: prekey unavailable",
			u.Contact, u.Err)
	}
}

func holdsPrekey(t *testing.T, c *Client, id uint32) bool {
	t.Helper()
	held := false
	if err := c.State.View(func(tx *state.Tx) error {
		held = tx.HasPrekey(id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return held
}
