package boltstore

import (
	"context"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	bolt "go.etcd.io/bbolt"
)

// Lookup returns the live values at owner and whether the name exists.
func (s *Store) Lookup(ctx context.Context, zone, owner string,
	now time.Time) ([]store.Value, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	nowMs := now.UnixMilli()
	var vals []store.Value
	exists := owner == zone
	err := s.view("lookup", func(tx *bolt.Tx) error {
		z := readZone(tx, zone)
		if z == nil {
			return nil
		}
		for _, e := range z.live(owner, nowMs) {
			vals = append(vals, store.Value{Data: e.value, Expires: time.UnixMilli(e.exp)})
		}
		exists = exists || i64(z.tree.Get([]byte(owner))) > nowMs
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return vals, exists, nil
}

// Apply checks u's prerequisites and applies its changes in one
// transaction, synced to disk before it returns.
func (s *Store) Apply(ctx context.Context, u store.Update, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errBadInput, err)
	}
	nowMs := now.UnixMilli()
	return s.update("apply", func(tx *bolt.Tx) error {
		z, err := writeZone(tx, u.Zone)
		if err != nil {
			return err
		}
		for i, p := range u.Prereqs {
			if !holds(p, z.live(p.Owner, nowMs)) {
				return &store.PrereqError{Index: i, Kind: p.Kind}
			}
		}
		added, order, err := z.change(u.Changes, u.Writer, now)
		if err != nil {
			return err
		}
		for _, owner := range order {
			if err := z.refresh(u.Zone, owner); err != nil {
				return err
			}
		}
		return z.checkCaps(u, added, nowMs)
	})
}

// change applies cs in order and returns the owners touched, in first-touch
// order, and which of them received an add.
func (z *zb) change(cs []store.Change, writer string,
	now time.Time) (map[string]bool, []string, error) {
	added := make(map[string]bool)
	var order []string
	for _, c := range cs {
		if _, seen := added[c.Owner]; !seen {
			added[c.Owner] = false
			order = append(order, c.Owner)
		}
		var err error
		switch c.Op {
		case store.OpAdd:
			added[c.Owner] = true
			err = z.put(c.Owner, c.Value, now.Add(c.TTL).UnixMilli(), writer)
		case store.OpDeleteValue:
			err = z.remove(c.Owner, c.Value)
		case store.OpDeleteRRset:
			for _, e := range z.entries(c.Owner) {
				if err = z.remove(c.Owner, e.value); err != nil {
					break
				}
			}
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return added, order, nil
}

// checkCaps enforces MaxPerOwner and MaxOwnerBytes on the owners that
// received an add and the writer quota when anything was added.
func (z *zb) checkCaps(u store.Update, added map[string]bool, nowMs int64) error {
	adds := false
	for owner, add := range added {
		if !add {
			continue
		}
		adds = true
		if err := ownerCaps(u, owner, z.live(owner, nowMs)); err != nil {
			return err
		}
	}
	if !adds || u.WriterQuota <= 0 || u.Writer == "" {
		return nil
	}
	n := 0
	_ = scan(z.wv, join(u.Writer, ""), func(_, v []byte) error {
		if i64(v) > nowMs {
			n++
		}
		return nil
	})
	if n > u.WriterQuota {
		return fmt.Errorf("%w: %s would hold %d values, quota %d",
			store.ErrQuota, u.Writer, n, u.WriterQuota)
	}
	return nil
}

// ownerCaps checks owner's live values after the update against the
// value count and wire size caps of u.
func ownerCaps(u store.Update, owner string, live []entry) error {
	if u.MaxPerOwner > 0 && len(live) > u.MaxPerOwner {
		return fmt.Errorf("%w: %s would hold %d values, cap %d",
			store.ErrOwnerFull, owner, len(live), u.MaxPerOwner)
	}
	if u.MaxOwnerBytes <= 0 {
		return nil
	}
	size := 0
	for _, e := range live {
		size += store.RRBytes(e.value)
	}
	if size > u.MaxOwnerBytes {
		return fmt.Errorf("%w: %s would hold %d bytes on the wire, cap %d bytes",
			store.ErrOwnerFull, owner, size, u.MaxOwnerBytes)
	}
	return nil
}

// refresh recomputes the index rows of owner and of its ancestors after
// owner's values changed.
func (z *zb) refresh(zone, owner string) error {
	own := z.maxAt(owner)
	ancestors := store.Ancestors(zone, owner)
	for _, a := range ancestors {
		k := join(a, owner)
		var err error
		if own == 0 {
			err = z.kids.Delete(k)
		} else {
			err = z.kids.Put(k, u64(own))
		}
		if err != nil {
			return err
		}
	}
	for _, name := range append([]string{owner}, ancestors...) {
		if err := z.retree(name); err != nil {
			return err
		}
	}
	return nil
}

// retree sets the tree row of name to the latest expiry at or below it.
func (z *zb) retree(name string) error {
	latest := z.maxAt(name)
	_ = scan(z.kids, join(name, ""), func(_, v []byte) error {
		latest = max(latest, i64(v))
		return nil
	})
	if latest == 0 {
		return z.tree.Delete([]byte(name))
	}
	return z.tree.Put([]byte(name), u64(latest))
}

// maxAt returns the latest expiry stored at owner, 0 if none.
func (z *zb) maxAt(owner string) int64 {
	var latest int64
	for _, e := range z.entries(owner) {
		latest = max(latest, e.exp)
	}
	return latest
}

// holds reports whether prerequisite p is met by owner's live values.
func holds(p store.Prereq, live []entry) bool {
	switch p.Kind {
	case store.RRsetExists, store.NameInUse:
		return len(live) > 0
	case store.RRsetAbsent, store.NameNotInUse:
		return len(live) == 0
	case store.RRsetEquals:
		want := make(map[string]bool, len(p.Values))
		for _, v := range p.Values {
			want[v] = true
		}
		if len(want) != len(live) {
			return false
		}
		for _, e := range live {
			if !want[e.value] {
				return false
			}
		}
		return true
	}
	return false
}
