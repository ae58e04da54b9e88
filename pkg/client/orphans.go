package client

import (
	"context"
	"fmt"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// Orphaned prekeys.
//
// After 'init --restore' on a new machine, or a lost state.db, the keys
// are back but the prekey secrets are not, while the prekeys published
// before stay in DNS until they expire. A sender may pick one, and its
// message can never be opened. So before each top-up or refresh the
// client reads its own pool and deletes every value signed by its own key
// whose secret it does not hold. Values it cannot parse, or signed by
// another key, are left alone: they are not its to judge, and the node
// refuses foreign prekeys anyway.
//
// Two machines restored from one passphrase would delete each other's
// prekeys this way; DMP has one device per identity, and messages sealed
// to the other machine's prekeys could not be opened here either.

// maxOrphanDeletes caps the deletes of one sweep, so its UPDATE stays a
// few kilobytes like a refresh's; more are left for the next sweep.
const maxOrphanDeletes = maxPrekeyBatch

// OrphanSweep is what one sweep of the own prekey pool did.
type OrphanSweep struct {
	// Deleted counts the prekeys signed by this identity, without a
	// secret here, that were deleted from DNS.
	Deleted int
	// Err is why orphans may be left in DNS: the pool or the state could
	// not be read, the delete failed, or more orphans than one sweep
	// deletes. It is a warning; the next top-up or refresh tries again.
	Err error
}

// SweepOrphanPrekeys deletes from the own prekey pool in DNS each prekey
// that verifies under this identity's Ed25519 key but whose secret is not
// held in the state (same id and public key), in one signed UPDATE of
// exact-value deletes. Without a writer it does nothing: doctor reports
// the orphans. It never fails the caller; see OrphanSweep.Err.
func (c *Client) SweepOrphanPrekeys(ctx context.Context) OrphanSweep {
	if c.Writer == nil || c.ID == nil {
		return OrphanSweep{}
	}
	owner := names.PrekeyPool(c.Cfg.Username, c.Zone())
	vals, err := c.lookup(ctx, owner)
	if err != nil {
		return OrphanSweep{Err: fmt.Errorf("client: orphaned prekeys: %w", err)}
	}
	orphans, err := c.orphanValues(vals)
	if err != nil || len(orphans) == 0 {
		return OrphanSweep{Err: err}
	}

	batch := orphans[:min(len(orphans), maxOrphanDeletes)]
	changes := make([]dnsio.Change, len(batch))
	for i, v := range batch {
		changes[i] = dnsio.Change{Op: dnsio.DeleteValue, Owner: owner, Value: v}
	}
	if err := c.write(ctx, changes...); err != nil {
		return OrphanSweep{Err: fmt.Errorf("client: delete %d published prekey(s) "+
			"without a secret here from %s: %w", len(batch), owner, err)}
	}
	sw := OrphanSweep{Deleted: len(batch)}
	if left := len(orphans) - len(batch); left > 0 {
		sw.Err = fmt.Errorf("client: %d more published prekey(s) without a secret here "+
			"left in %s for the next sweep", left, owner)
	}
	return sw
}

// orphanValues returns the values of the own pool that verify under the
// own key but whose secret is not held. It reads the state after the
// pool was read: a secret is committed before its prekey is published, so
// a prekey another process is publishing right now is already held.
func (c *Client) orphanValues(vals []string) ([]string, error) {
	now := c.now()
	var out []string
	err := c.State.View(func(tx *state.Tx) error {
		for _, v := range vals {
			p, err := records.ParsePrekey(v, c.ID.Ed25519Public, now)
			if err != nil {
				continue // not a prekey of ours: left alone
			}
			if !heldPrekey(tx, p) {
				out = append(out, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("client: orphaned prekeys: %w", err)
	}
	return out, nil
}

// heldPrekey reports whether the state holds the secret of p: its id, with
// the same public key (an id drawn again by chance names another key).
func heldPrekey(tx *state.Tx, p *records.Prekey) bool {
	if !tx.HasPrekey(p.ID) {
		return false
	}
	held, err := tx.Prekey(p.ID)
	return err == nil && holds(held, p)
}
