package client

import (
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

// RefreshPrekeys makes count one-time prekeys that expire after ttl,
// stores their secrets, then publishes their signed records in the pool
// prekeys.id-<hash12(user)>.<zone> (message-path.md §10). Secrets are
// committed before anything is published, so a crash never leaves a
// published prekey without its secret. It returns the new ids.
func (c *Client) RefreshPrekeys(ctx context.Context, count int,
	ttl time.Duration) ([]uint32, error) {
	if err := c.needID(); err != nil {
		return nil, err
	}
	if count < 1 || count > maxPrekeyBatch {
		return nil, fmt.Errorf("client: prekey count %d outside 1..%d", count, maxPrekeyBatch)
	}
	if ttl < time.Minute || ttl > records.MaxFuture*time.Second {
		return nil, fmt.Errorf("client: prekey ttl %s outside 1m..720h", ttl)
	}
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
	return ids, nil
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
		Exp: int64(rec.Exp), Wire: wire, Owner: owner, Created: now.Unix()}
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

// PrekeyStatus counts the stored prekeys that are live (unused, published
// and not about to expire) and all the secrets held.
func (c *Client) PrekeyStatus() (live, total int, err error) {
	limit := c.now().Add(prekeyLiveMargin).Unix()
	err = c.State.View(func(tx *state.Tx) error {
		ps, err := tx.Prekeys()
		for _, p := range ps {
			if p.Consumed == 0 && p.Exp > limit {
				live++
			}
		}
		total = len(ps)
		return err
	})
	return live, total, err
}

// TopUpPrekeys publishes new prekeys when fewer than PrekeyLowWater are
// live, after erasing the secrets whose window ended (consume.go). It
// returns how many prekeys it made.
func (c *Client) TopUpPrekeys(ctx context.Context) (int, error) {
	err := c.State.Update(func(tx *state.Tx) error { return purgePrekeys(tx, c.now().Unix()) })
	if err != nil {
		return 0, err
	}
	live, _, err := c.PrekeyStatus()
	if err != nil || live >= PrekeyLowWater {
		return 0, err
	}
	ids, err := c.RefreshPrekeys(ctx, DefaultPrekeyCount-live, DefaultPrekeyTTL)
	return len(ids), err
}
