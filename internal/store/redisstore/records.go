package redisstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/redis/go-redis/v9"
)

// Lookup returns the live values at owner and whether the name exists,
// in one round trip.
func (s *Store) Lookup(ctx context.Context, zone, owner string,
	now time.Time) ([]store.Value, bool, error) {
	p, nowMs := zonePrefix(zone), now.UnixMilli()
	var rng *redis.ZSliceCmd
	var tree *redis.FloatCmd
	_, err := s.c.Pipelined(ctx, func(pl redis.Pipeliner) error {
		rng = pl.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: p + "rr:" + owner,
			Start: "(" + ms(nowMs), Stop: "+inf", ByScore: true})
		tree = pl.ZScore(ctx, p+"tree", owner)
		return nil
	})
	if err != nil && !isNil(err) {
		return nil, false, unavailable("lookup", err)
	}
	if err := rng.Err(); err != nil {
		return nil, false, unavailable("lookup", err)
	}
	vals := make([]store.Value, 0, len(rng.Val()))
	for _, z := range rng.Val() {
		vals = append(vals, store.Value{Data: z.Member.(string),
			Expires: time.UnixMilli(int64(z.Score))})
	}
	slices.SortFunc(vals, func(a, b store.Value) int { return strings.Compare(a.Data, b.Data) })
	exists := owner == zone || len(vals) > 0
	if latest, err := tree.Result(); err == nil && int64(latest) > nowMs {
		exists = true
	}
	return vals, exists, nil
}

// Apply runs u as one script on the zone's slot.
func (s *Store) Apply(ctx context.Context, u store.Update, now time.Time) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	if err := s.register(ctx, u.Zone); err != nil {
		return unavailable("apply", err)
	}
	p := zonePrefix(u.Zone)
	res, err := applyScript.Run(ctx, s.c, []string{p + "tree"}, applyArgs(u, now)...).Slice()
	if err != nil {
		return unavailable("apply", err)
	}
	return applyResult(u, res)
}

// applyArgs encodes u in the order applyScript reads it.
func applyArgs(u store.Update, now time.Time) []any {
	args := []any{zonePrefix(u.Zone), ms(now.UnixMilli()), u.MaxPerOwner, u.Writer,
		u.WriterQuota, u.MaxOwnerBytes, len(u.Prereqs)}
	for _, p := range u.Prereqs {
		args = append(args, int(p.Kind), p.Owner, len(p.Values))
		for _, v := range p.Values {
			args = append(args, v)
		}
	}
	args = append(args, len(u.Changes))
	var owners []string
	for _, c := range u.Changes {
		args = append(args, int(c.Op), c.Owner, c.Value, ms(now.Add(c.TTL).UnixMilli()))
		if !slices.Contains(owners, c.Owner) {
			owners = append(owners, c.Owner)
		}
	}
	return appendOwners(args, u.Zone, owners)
}

// appendOwners adds "#owners, {owner, #ancestors, ancestors...}".
func appendOwners(args []any, zone string, owners []string) []any {
	args = append(args, len(owners))
	for _, o := range owners {
		anc := store.Ancestors(zone, o)
		args = append(args, o, len(anc))
		for _, a := range anc {
			args = append(args, a)
		}
	}
	return args
}

// applyResult turns the script's reply into the contract's errors.
func applyResult(u store.Update, res []any) error {
	code, _ := res[0].(int64)
	switch {
	case code == 0:
		return nil
	case code == 1 && len(res) == 3:
		idx, _ := res[1].(int64)
		kind, _ := res[2].(int64)
		return &store.PrereqError{Index: int(idx), Kind: store.PrereqKind(kind)}
	case code == 2 && len(res) == 3:
		return fmt.Errorf("%w: %v would hold %v values, cap %d",
			store.ErrOwnerFull, res[1], res[2], u.MaxPerOwner)
	case code == 4 && len(res) == 3:
		return fmt.Errorf("%w: %v would hold %v bytes on the wire, cap %d bytes",
			store.ErrOwnerFull, res[1], res[2], u.MaxOwnerBytes)
	case code == 3 && len(res) == 2:
		return fmt.Errorf("%w: %s would hold %v values, quota %d",
			store.ErrQuota, u.Writer, res[1], u.WriterQuota)
	}
	return unavailable("apply", fmt.Errorf("unexpected script reply %v", res))
}

// sweepBatch bounds the owners one sweep script handles.
const sweepBatch = 200

// Sweep deletes expired values in every zone ever written.
func (s *Store) Sweep(ctx context.Context, now time.Time) (int, error) {
	zones, err := s.c.SMembers(ctx, keyZones).Result()
	if err != nil {
		return 0, unavailable("sweep", err)
	}
	total := 0
	for _, zone := range zones {
		n, err := s.sweepZone(ctx, zone, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// sweepZone repeatedly takes owners whose earliest expiry has passed and
// sweeps them; each pass moves them out of the range.
func (s *Store) sweepZone(ctx context.Context, zone string, now time.Time) (int, error) {
	p, nowMs := zonePrefix(zone), ms(now.UnixMilli())
	total := 0
	for {
		owners, err := s.c.ZRangeArgs(ctx, redis.ZRangeArgs{Key: p + "exp", Start: "-inf",
			Stop: nowMs, ByScore: true, Count: sweepBatch}).Result()
		if err != nil {
			return total, unavailable("sweep", err)
		}
		if len(owners) == 0 {
			return total, nil
		}
		args := appendOwners([]any{p, nowMs}, zone, owners)
		n, err := sweepScript.Run(ctx, s.c, []string{p + "tree"}, args...).Int()
		if err != nil {
			return total, unavailable("sweep", err)
		}
		total += n
	}
}

// Count returns the number of live values in zone: one ZCOUNT on the
// zone's "live" set, which Apply and Sweep keep in step with the owners'
// sets inside their scripts, so it costs O(log n) however large the zone.
func (s *Store) Count(ctx context.Context, zone string, now time.Time) (int64, error) {
	n, err := s.c.ZCount(ctx, zonePrefix(zone)+"live", "("+ms(now.UnixMilli()), "+inf").Result()
	if err != nil {
		return 0, unavailable("count", err)
	}
	return n, nil
}
