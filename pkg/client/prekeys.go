package client

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// prekeyLiveMargin is how long before its expiry a prekey stops counting
// as live for the pool's low-water check.
const prekeyLiveMargin = time.Hour

// maxPrekeyBatch caps the prekeys of one refresh, so one UPDATE stays a
// few kilobytes.
const maxPrekeyBatch = 100

// Refreshed is what a prekey refresh or top-up did.
type Refreshed struct {
	IDs   []uint32    // the new prekeys, published and confirmed
	Swept OrphanSweep // the sweep of orphaned prekeys run first
}

// RefreshPrekeys first deletes the orphaned prekeys from the own pool
// (SweepOrphanPrekeys; a failure there is only reported in Swept), then
// makes count one-time prekeys that expire after ttl, stores their
// secrets and publishes their signed records in the pool
// prekeys.id-<hash12(user)>.<zone> (message-path.md §10). Without a
// writer it makes none and fails with ErrNoWriter.
func (c *Client) RefreshPrekeys(ctx context.Context, count int,
	ttl time.Duration) (Refreshed, error) {
	if err := c.canRefresh(count, ttl); err != nil {
		return Refreshed{}, err
	}
	r := Refreshed{Swept: c.SweepOrphanPrekeys(ctx)}
	var err error
	r.IDs, err = c.publishPrekeys(ctx, count, ttl)
	return r, err
}

// canRefresh checks a refresh's arguments and that it can publish.
func (c *Client) canRefresh(count int, ttl time.Duration) error {
	if err := c.needID(); err != nil {
		return err
	}
	if c.Writer == nil {
		return ErrNoWriter // secrets of prekeys no sender can see would be dead weight
	}
	if count < 1 || count > maxPrekeyBatch {
		return fmt.Errorf("client: prekey count %d outside 1..%d", count, maxPrekeyBatch)
	}
	if ttl < time.Minute || ttl > records.MaxFuture*time.Second {
		return fmt.Errorf("client: prekey ttl %s outside 1m..720h", ttl)
	}
	return nil
}

// publishPrekeys makes and publishes count prekeys, arguments canRefresh
// accepted. Secrets are committed, marked pending, before anything is
// published, so a crash never leaves a published prekey without its
// secret; they count as live once the node confirmed the publish. It
// returns the new ids.
func (c *Client) publishPrekeys(ctx context.Context, count int,
	ttl time.Duration) ([]uint32, error) {
	owner := names.PrekeyPool(c.Cfg.Username, c.Zone())
	now := c.now()
	var made []state.Prekey
	err := c.State.Update(func(tx *state.Tx) error {
		for range count {
			p, err := c.newPrekey(tx, owner, now, ttl)
			if err != nil {
				return err
			}
			made = append(made, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	changes := make([]dnsio.Change, len(made))
	ids := make([]uint32, len(made))
	for i, p := range made {
		changes[i] = dnsio.Change{Op: dnsio.Add, Owner: owner, Value: p.Wire, TTL: seconds(ttl)}
		ids[i] = p.ID
	}
	if err := c.write(ctx, changes...); err != nil {
		// Only a refusal proves nothing was published; after a timeout
		// the records may be live, so their secrets stay.
		if errors.Is(err, dnsio.ErrRefused) {
			c.forgetPrekeys(ids)
		}
		return nil, fmt.Errorf("client: publish prekeys: %w", err)
	}
	if err := c.confirmPrekeys(ids); err != nil {
		return nil, fmt.Errorf("client: prekeys published, but not marked so: %w", err)
	}
	return ids, nil
}

// confirmPrekeys clears the pending mark of prekeys the node stored.
func (c *Client) confirmPrekeys(ids []uint32) error {
	return c.State.Update(func(tx *state.Tx) error {
		for _, id := range ids {
			p, err := tx.Prekey(id)
			if err != nil {
				return err
			}
			p.Pending = false
			if err := tx.PutPrekey(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// newPrekey makes, signs and stores one prekey with a fresh random id.
func (c *Client) newPrekey(tx *state.Tx, owner string, now time.Time,
	ttl time.Duration) (state.Prekey, error) {
	sk, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return state.Prekey{}, fmt.Errorf("client: prekey key: %w", err)
	}
	id, err := freshPrekeyID(tx)
	if err != nil {
		return state.Prekey{}, err
	}
	rec := &records.Prekey{ID: id, Exp: uint64(now.Add(ttl).Unix())}
	copy(rec.Public[:], sk.PublicKey().Bytes())
	wire, err := rec.Sign(c.ID.Ed25519)
	if err != nil {
		return state.Prekey{}, fmt.Errorf("client: sign prekey: %w", err)
	}
	p := state.Prekey{ID: id, Private: sk.Bytes(), Public: rec.Public[:],
		Exp: int64(rec.Exp), Wire: wire, Owner: owner, Created: now.Unix(), Pending: true}
	return p, tx.PutPrekey(p)
}

// freshPrekeyID draws a random non-zero id not in use.
func freshPrekeyID(tx *state.Tx) (uint32, error) {
	var b [4]byte
	for range 16 {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("client: random: %w", err)
		}
		id := binary.BigEndian.Uint32(b[:])
		if id != 0 && !tx.HasPrekey(id) {
			return id, nil
		}
	}
	return 0, fmt.Errorf("client: no free prekey id after 16 draws")
}

// forgetPrekeys drops secrets whose records never got published.
func (c *Client) forgetPrekeys(ids []uint32) {
	c.State.Update(func(tx *state.Tx) error {
		for _, id := range ids {
			tx.DeletePrekey(id)
		}
		return nil
	})
}

// PrekeyStatus counts the stored prekeys that are live (unused, their
// publish confirmed, not about to expire) and all the secrets held.
// PrekeyPool compares them with what DNS holds.
func (c *Client) PrekeyStatus() (live, total int, err error) {
	err = c.State.View(func(tx *state.Tx) error {
		ps, err := tx.Prekeys()
		for _, p := range ps {
			if c.prekeyLive(p) {
				live++
			}
		}
		total = len(ps)
		return err
	})
	return live, total, err
}

// prekeyLive reports whether p is unused, confirmed published and not
// about to expire.
func (c *Client) prekeyLive(p state.Prekey) bool {
	return p.Consumed == 0 && !p.Pending && p.Exp > c.now().Add(prekeyLiveMargin).Unix()
}

// TopUpPrekeys erases the secrets whose window ended (consume.go),
// deletes the orphaned prekeys from the own pool (SweepOrphanPrekeys),
// publishes again the prekeys whose publish was never confirmed, and
// then publishes new ones when fewer than PrekeyLowWater are live. A low
// pool without a writer makes none and fails with ErrNoWriter.
func (c *Client) TopUpPrekeys(ctx context.Context) (Refreshed, error) {
	err := c.State.Update(func(tx *state.Tx) error { return purgePrekeys(tx, c.now().Unix()) })
	if err != nil {
		return Refreshed{}, err
	}
	r := Refreshed{Swept: c.SweepOrphanPrekeys(ctx)}
	if err := c.republishPending(ctx); err != nil {
		return r, err
	}
	live, _, err := c.PrekeyStatus()
	if err != nil || live >= PrekeyLowWater {
		return r, err
	}
	count := DefaultPrekeyCount - live
	if err := c.canRefresh(count, DefaultPrekeyTTL); err != nil {
		return r, err
	}
	r.IDs, err = c.publishPrekeys(ctx, count, DefaultPrekeyTTL)
	return r, err
}

// republishPending publishes again the unused prekeys whose publish was
// never confirmed (adding a value already there changes nothing), so a
// timeout costs no prekeys, and a writer that keeps failing fails the
// top-up before it makes more secrets that cannot be published.
func (c *Client) republishPending(ctx context.Context) error {
	now := c.now().Unix()
	var changes []dnsio.Change
	var ids []uint32
	err := c.State.View(func(tx *state.Tx) error {
		ps, err := tx.Prekeys()
		for _, p := range ps {
			if p.Pending && p.Consumed == 0 && p.Exp > now {
				changes = append(changes, dnsio.Change{Op: dnsio.Add, Owner: p.Owner,
					Value: p.Wire, TTL: uint32(p.Exp - now)})
				ids = append(ids, p.ID)
			}
		}
		return err
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	if err := c.write(ctx, changes...); err != nil {
		if errors.Is(err, dnsio.ErrRefused) {
			c.forgetPrekeys(ids)
		}
		return fmt.Errorf("client: publish %d pending prekeys again: %w", len(ids), err)
	}
	return c.confirmPrekeys(ids)
}

// PoolStatus compares the own prekey pool in DNS with the secrets held.
type PoolStatus struct {
	// Live counts the prekeys that are both published and held: unused,
	// not about to expire, what senders seal to and recv opens.
	Live int
	// Orphans counts published prekeys signed by this identity whose
	// secret is not held, as after 'init --restore' or a lost state.db: a
	// message sealed to one cannot be opened. OrphansExpire is when the
	// last of them expires.
	Orphans       int
	OrphansExpire time.Time
	// Unpublished counts unused, unexpired secrets whose prekey is not in
	// DNS: its publish failed, or the record was removed.
	Unpublished int
}

// PrekeyPool reads the own prekey pool and compares it with the secrets
// in the state, prekey by prekey. Values in the pool that are not valid
// prekeys signed by this identity are not counted.
func (c *Client) PrekeyPool(ctx context.Context) (PoolStatus, error) {
	var st PoolStatus
	if err := c.needID(); err != nil {
		return st, err
	}
	vals, err := c.lookup(ctx, names.PrekeyPool(c.Cfg.Username, c.Zone()))
	if err != nil {
		return st, fmt.Errorf("client: prekey pool: %w", err)
	}
	now := c.now()
	var published []*records.Prekey
	for _, v := range vals {
		if p, err := records.ParsePrekey(v, c.ID.Ed25519Public, now); err == nil &&
			!p.Expired(now) {
			published = append(published, p)
		}
	}
	err = c.State.View(func(tx *state.Tx) error {
		ps, err := tx.Prekeys()
		if err != nil {
			return err
		}
		st = comparePool(published, ps, now.Add(prekeyLiveMargin).Unix())
		return nil
	})
	return st, err
}

// comparePool counts the published prekeys against the held ones, a
// published one matching a held one by id and public key as the orphan
// sweep matches them (holds); a prekey counts as live until limit.
func comparePool(published []*records.Prekey, held []state.Prekey, limit int64) PoolStatus {
	var st PoolStatus
	byID := make(map[uint32]state.Prekey, len(held))
	inDNS := make(map[uint32]bool, len(published))
	for _, p := range held {
		byID[p.ID] = p
	}
	for _, pub := range published {
		p, ok := byID[pub.ID]
		switch {
		case !ok || !holds(p, pub):
			st.Orphans++
			if t := time.Unix(int64(pub.Exp), 0); t.After(st.OrphansExpire) {
				st.OrphansExpire = t
			}
		default:
			inDNS[p.ID] = true
			if p.Consumed == 0 && p.Exp > limit {
				st.Live++
			}
		}
	}
	for _, p := range held {
		if !inDNS[p.ID] && p.Consumed == 0 && p.Exp > limit {
			st.Unpublished++
		}
	}
	return st
}

// holds reports whether the held prekey is the secret half of pub: the
// same id drawn again by chance would name another key.
func holds(held state.Prekey, pub *records.Prekey) bool {
	return held.ID == pub.ID && bytes.Equal(held.Public, pub.Public[:])
}
