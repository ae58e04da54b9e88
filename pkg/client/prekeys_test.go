package client

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// TestTopUpNeedsWriter: without a TSIG key, receiving makes no prekeys it
// could not publish, and says why in NoTopUp.
func TestTopUpNeedsWriter(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	c := newUser(t, dns, "nokey")
	c.Writer = nil
	res, err := c.Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	live, total, err := c.PrekeyStatus()
	if err != nil || live != 0 || total != 0 || res.NewPrekeys != 0 ||
		!errors.Is(res.NoTopUp, ErrNoWriter) {
		t.Fatalf("got %d live of %d held (%v), %d new, NoTopUp %v; want none and "+
			"ErrNoWriter", live, total, err, res.NewPrekeys, res.NoTopUp)
	}
}

// flakyWriter fails every write with err while err is set, else passes
// the changes to the memDNS.
type flakyWriter struct {
	dns *memDNS
	err error
}

func (f *flakyWriter) Apply(ctx context.Context, changes ...dnsio.Change) error {
	if f.err != nil {
		return f.err
	}
	return f.dns.Apply(ctx, changes...)
}

// TestFailedPublishIsNotLive: a prekey whose publish timed out keeps its
// secret (it may be in DNS) but is not live; the next top-up publishes it
// again and only then counts it, and makes no more while the writer fails.
func TestFailedPublishIsNotLive(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	c := newUser(t, dns, "flaky")
	w := &flakyWriter{dns: dns, err: dnsio.ErrUnreachable}
	c.Writer = w
	ctx := context.Background()
	if _, err := c.RefreshPrekeys(ctx, 4, DefaultPrekeyTTL); err == nil {
		t.Fatal("refresh with a failing writer succeeded")
	}
	checkStatus(t, c, 0, 4)
	if r, err := c.TopUpPrekeys(ctx); len(r.IDs) != 0 || err == nil {
		t.Fatalf("top-up with a failing writer made %d, err %v; want 0 and an error",
			len(r.IDs), err)
	}
	checkStatus(t, c, 0, 4)

	w.err = nil
	r, err := c.TopUpPrekeys(ctx)
	if err != nil || len(r.IDs) != DefaultPrekeyCount-4 {
		t.Fatalf("top-up made %d (%v), want the 4 pending confirmed and %d new", len(r.IDs),
			err, DefaultPrekeyCount-4)
	}
	checkStatus(t, c, DefaultPrekeyCount, DefaultPrekeyCount)
	if st, err := c.PrekeyPool(ctx); err != nil || st != (PoolStatus{Live: DefaultPrekeyCount}) {
		t.Fatalf("pool %+v (%v), want %d live and nothing else", st, err, DefaultPrekeyCount)
	}
}

func checkStatus(t *testing.T, c *Client, wantLive, wantTotal int) {
	t.Helper()
	live, total, err := c.PrekeyStatus()
	if err != nil || live != wantLive || total != wantTotal {
		t.Fatalf("got %d live of %d held (%v), want %d of %d", live, total, err, wantLive,
			wantTotal)
	}
}

// TestPrekeyPoolMismatch: after the state is lost (as with init --restore)
// the published prekeys are orphans, not live, and a secret whose prekey
// is not published is counted as such.
func TestPrekeyPoolMismatch(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	c := newUser(t, dns, "restored")
	ctx := context.Background()
	if _, err := c.RefreshPrekeys(ctx, 5, DefaultPrekeyTTL); err != nil {
		t.Fatal(err)
	}
	c.State = state.Open(filepath.Join(t.TempDir(), "state.db"))
	c.Writer = &flakyWriter{dns: dns, err: dnsio.ErrUnreachable}
	if _, err := c.RefreshPrekeys(ctx, 2, DefaultPrekeyTTL); !errors.Is(err,
		dnsio.ErrUnreachable) {
		t.Fatalf("refresh with the node unreachable got %v, want ErrUnreachable", err)
	}

	st, err := c.PrekeyPool(ctx)
	wantExp := c.now().Add(DefaultPrekeyTTL).Unix()
	if err != nil || st.Live != 0 || st.Orphans != 5 || st.Unpublished != 2 ||
		st.OrphansExpire.Unix() < wantExp-5 || st.OrphansExpire.Unix() > wantExp {
		t.Fatalf("pool %+v (%v), want 5 orphans expiring at %d and 2 unpublished", st, err,
			wantExp)
	}
}

// TestPrekeyPoolIDClash: a published prekey whose id is held here but with
// another public key counts as an orphan, as the sweep deletes it, and the
// held prekey of that id as unpublished, since its own record is not in
// DNS.
func TestPrekeyPoolIDClash(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	c := newUser(t, dns, "clash")
	ctx := context.Background()
	r, err := c.RefreshPrekeys(ctx, 3, DefaultPrekeyTTL)
	if err != nil {
		t.Fatal(err)
	}
	owner := names.PrekeyPool("clash", c.Zone())
	held, err := c.lookup(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	var rest []string
	for _, v := range held {
		p, err := records.ParsePrekey(v, c.ID.Ed25519Public, c.now())
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != r.IDs[0] {
			rest = append(rest, v)
		}
	}
	dns.data[owner] = append(rest, signedPrekey(t, c, r.IDs[0]))

	st, err := c.PrekeyPool(ctx)
	if err != nil || st.Live != 2 || st.Orphans != 1 || st.Unpublished != 1 {
		t.Fatalf("pool %+v (%v), want 2 live, 1 orphan (the clash), 1 unpublished", st, err)
	}
	if sw := c.SweepOrphanPrekeys(ctx); sw.Deleted != st.Orphans {
		t.Fatalf("sweep deleted %d, doctor counted %d orphans", sw.Deleted, st.Orphans)
	}
}
