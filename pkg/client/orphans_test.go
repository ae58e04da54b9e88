package client

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// restoreState gives c an empty state, as 'init --restore' on a new
// machine does: the keys are the same, the prekey secrets are gone.
func restoreState(t *testing.T, c *Client) {
	t.Helper()
	c.State = state.Open(filepath.Join(t.TempDir(), "restored.db"))
}

// poolOf returns the values at c's prekey pool.
func poolOf(t *testing.T, dns *memDNS, c *Client) []string {
	t.Helper()
	vals, err := dns.LookupTXT(context.Background(), names.PrekeyPool(c.Cfg.Username, c.Zone()))
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// signedPrekey returns a prekey value with id, a random public key and
// exp an hour from now, signed by signer's identity key.
func signedPrekey(t *testing.T, signer *Client, id uint32) string {
	t.Helper()
	p := &records.Prekey{ID: id, Exp: uint64(signer.now().Add(time.Hour).Unix())}
	rand.Read(p.Public[:])
	v, err := p.Sign(signer.ID.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRefreshSweepsOrphans: after the state is lost, a refresh deletes
// the prekeys this identity published before, and only those: a value
// signed by another key and one that is no prekey stay. A value with an
// id held here but another public key is deleted: its secret is not the
// one held.
func TestRefreshSweepsOrphans(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	alice, bob := newUser(t, dns, "alice"), newUser(t, dns, "bob")
	ctx := context.Background()
	if _, err := alice.RefreshPrekeys(ctx, 5, DefaultPrekeyTTL); err != nil {
		t.Fatal(err)
	}
	owner := names.PrekeyPool("alice", alice.Zone())
	foreign, junk := signedPrekey(t, bob, 7), "v=dmp1;t=prekey;not-base64!"
	dns.data[owner] = append(dns.data[owner], foreign, junk)

	restoreState(t, alice)
	r, err := alice.RefreshPrekeys(ctx, 3, DefaultPrekeyTTL)
	if err != nil || r.Swept.Deleted != 5 || r.Swept.Err != nil || len(r.IDs) != 3 {
		t.Fatalf("refresh got %+v (%v), want 5 orphans deleted and 3 new prekeys", r, err)
	}
	checkPool(t, alice, dns, r.IDs, foreign, junk)

	// An id held here but published with another public key is an orphan.
	before := poolOf(t, dns, alice)
	clash := signedPrekey(t, alice, r.IDs[0])
	dns.data[owner] = append(dns.data[owner], clash)
	if sw := alice.SweepOrphanPrekeys(ctx); sw.Deleted != 1 || sw.Err != nil {
		t.Fatalf("sweep got %+v, want the clashing value deleted", sw)
	}
	if after := poolOf(t, dns, alice); !sameValues(after, before) {
		t.Fatalf("after the sweep the pool holds %q, want %q: the clash gone, the held "+
			"prekey of its id kept", after, before)
	}
}

// sameValues reports whether a and b hold the same values in any order.
func sameValues(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// checkPool fails unless c's pool holds exactly the prekeys ids, held
// here and verified under c's key, plus the values others.
func checkPool(t *testing.T, c *Client, dns *memDNS, ids []uint32, others ...string) {
	t.Helper()
	var got []uint32
	for _, v := range poolOf(t, dns, c) {
		if slices.Contains(others, v) {
			continue
		}
		p, err := records.ParsePrekey(v, c.ID.Ed25519Public, c.now())
		if err != nil {
			t.Fatalf("pool holds %q: %v", v, err)
		}
		got = append(got, p.ID)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(got, want) {
		t.Fatalf("pool holds own prekeys %v, want %v", got, want)
	}
	if n := len(poolOf(t, dns, c)); n != len(ids)+len(others) {
		t.Fatalf("pool holds %d values, want %d", n, len(ids)+len(others))
	}
	if st, err := c.PrekeyPool(context.Background()); err != nil || st.Orphans != 0 {
		t.Fatalf("pool status %+v (%v), want no orphans", st, err)
	}
}

// deleteRefuser refuses every UPDATE that deletes while refuse is set,
// as a node would for a key without the scope; adds go through.
type deleteRefuser struct {
	dns    *memDNS
	refuse bool
}

func (d *deleteRefuser) Apply(ctx context.Context, changes ...dnsio.Change) error {
	for _, c := range changes {
		if d.refuse && c.Op != dnsio.Add {
			return dnsio.ErrRefused
		}
	}
	return d.dns.Apply(ctx, changes...)
}

// TestTopUpSweepRetried: a refused delete of orphans is a warning in the
// poll's result, the top-up still publishes new prekeys, and the next
// poll deletes the orphans.
func TestTopUpSweepRetried(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	alice := newUser(t, dns, "alice")
	ctx := context.Background()
	old, err := alice.RefreshPrekeys(ctx, 4, DefaultPrekeyTTL)
	if err != nil {
		t.Fatal(err)
	}
	restoreState(t, alice)
	w := &deleteRefuser{dns: dns, refuse: true}
	alice.Writer = w

	res, err := alice.Receive(ctx)
	if err != nil || res.Swept.Deleted != 0 || !errors.Is(res.Swept.Err, dnsio.ErrRefused) ||
		res.NewPrekeys != DefaultPrekeyCount {
		t.Fatalf("poll got err %v, swept %+v, %d new; want a refused sweep and %d new", err,
			res.Swept, res.NewPrekeys, DefaultPrekeyCount)
	}
	if st, err := alice.PrekeyPool(ctx); err != nil || st.Orphans != len(old.IDs) {
		t.Fatalf("pool status %+v (%v), want the %d orphans left", st, err, len(old.IDs))
	}

	w.refuse = false
	res, err = alice.Receive(ctx)
	if err != nil || res.Swept.Deleted != len(old.IDs) || res.Swept.Err != nil ||
		res.NewPrekeys != 0 {
		t.Fatalf("poll got err %v, swept %+v, %d new; want %d deleted and none new", err,
			res.Swept, res.NewPrekeys, len(old.IDs))
	}
	if st, err := alice.PrekeyPool(ctx); err != nil || st.Orphans != 0 ||
		st.Live != DefaultPrekeyCount {
		t.Fatalf("pool status %+v (%v), want %d live, no orphans", st, err, DefaultPrekeyCount)
	}
}

// timeoutWriter applies changes but reports a timeout, as when the
// node's reply is lost.
type timeoutWriter struct{ dns *memDNS }

func (w timeoutWriter) Apply(ctx context.Context, changes ...dnsio.Change) error {
	w.dns.Apply(ctx, changes...)
	return dnsio.ErrUnreachable
}

// TestSweepKeepsPending: a prekey whose publish was never confirmed is
// held, pending, so a sweep leaves it published.
func TestSweepKeepsPending(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	alice := newUser(t, dns, "alice")
	ctx := context.Background()
	alice.Writer = timeoutWriter{dns}
	if _, err := alice.RefreshPrekeys(ctx, 3, DefaultPrekeyTTL); err == nil {
		t.Fatal("refresh with a lost reply succeeded")
	}
	alice.Writer = dns
	if sw := alice.SweepOrphanPrekeys(ctx); sw.Deleted != 0 || sw.Err != nil {
		t.Fatalf("sweep got %+v, want nothing deleted", sw)
	}
	if n := len(poolOf(t, dns, alice)); n != 3 {
		t.Fatalf("pool holds %d values, want the 3 pending prekeys", n)
	}
}

// TestSweepBounded: one sweep deletes at most maxOrphanDeletes values,
// says how many it left, and the next deletes the rest.
func TestSweepBounded(t *testing.T) {
	dns := &memDNS{data: map[string][]string{}}
	alice := newUser(t, dns, "alice")
	ctx := context.Background()
	for _, n := range []int{maxPrekeyBatch, 2} {
		if _, err := alice.RefreshPrekeys(ctx, n, DefaultPrekeyTTL); err != nil {
			t.Fatal(err)
		}
	}
	restoreState(t, alice)
	sw := alice.SweepOrphanPrekeys(ctx)
	if sw.Deleted != maxOrphanDeletes || sw.Err == nil ||
		!strings.Contains(sw.Err.Error(), "2 more published prekey(s)") {
		t.Fatalf("sweep got %+v, want %d deleted and 2 left", sw, maxOrphanDeletes)
	}
	if sw := alice.SweepOrphanPrekeys(ctx); sw.Deleted != 2 || sw.Err != nil {
		t.Fatalf("second sweep got %+v, want the last 2 deleted", sw)
	}
	if n := len(poolOf(t, dns, alice)); n != 0 {
		t.Fatalf("pool holds %d values, want none", n)
	}
}
