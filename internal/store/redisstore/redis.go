// Package redisstore implements store.Store on Redis through a go-redis
// UniversalClient, so one store serves standalone Redis, Sentinel and
// Cluster alike and several nodes can share it (DECISIONS N9, N13).
//
// # Key layout
//
// Every key of a zone starts with "dmp:{<zone>}:", the zone being its
// Redis hash tag, so one script may touch all the owners of an UPDATE
// atomically even on Cluster. Scores are expiries in Unix milliseconds; a
// value is live while its score is greater than now.
//
//	dmp:{Z}:rr:<owner>     ZSET  value -> expiry          the owner's TXT values
//	dmp:{Z}:by:<owner>     HASH  value -> writer          who added each value last
//	dmp:{Z}:wv:<writer>    ZSET  owner\0value -> expiry   the writer's values (quota)
//	dmp:{Z}:tree           ZSET  name -> latest expiry at or below name
//	dmp:{Z}:kids:<anc>     ZSET  owner -> latest expiry at owner, for each
//	                             ancestor anc between owner and the apex
//	dmp:{Z}:exp            ZSET  owner -> earliest expiry at owner (Sweep)
//	dmp:{Z}:live           ZSET  owner\0value -> expiry   every value (Count)
//
// "tree" answers Lookup's exists for empty non-terminals in one read
// (DECISIONS N3); "kids" lets a script recompute an ancestor's entry after
// a delete; "live" holds one member per stored value, so Count is one
// ZCOUNT. Values written before "live" existed are not in it; they count
// again once rewritten, and leave the zone within the lifetime cap anyway.
// Shared state lives under the tag {dmp}:
//
//	dmp:{dmp}:zones            SET    zones ever written (for Sweep)
//	dmp:{dmp}:keys             HASH   key name -> JSON of store.Key
//	dmp:{dmp}:subj:<subject>   HASH   key name -> expiry and SignKey (subject.go)
//	dmp:{dmp}:keysubj          HASH   key name -> subject
//	dmp:{dmp}:subjidx          STRING set once the subject index is complete
//	dmp:{dmp}:seen:<id>        STRING TSIG MAC replay cache (SET NX PX)
//	dmp:{dmp}:rate:<b>:<start> STRING fixed-window counter (INCR, PEXPIRE)
//	dmp:{dmp}:chal:<id>        STRING registration challenge (SET PX, GETDEL)
//
// Apply runs one Lua script that checks the prerequisites, the per-owner
// cap and the writer quota on the state the changes would leave, and
// only then writes; a refused update changes nothing. Names passed to
// scripts never need parsing in Lua: the Go side sends each owner's
// ancestors. Errors from the client wrap store.ErrUnavailable.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/redis/go-redis/v9"
)

// Store is a store.Store on Redis.
type Store struct {
	c redis.UniversalClient

	zones sync.Map // zone -> time.Time of its last SADD to keyZones
}

var _ store.Store = (*Store)(nil)

// New returns a store on c. The store owns c from then on: Close closes
// it.
func New(c redis.UniversalClient) *Store {
	return &Store{c: c}
}

const (
	global    = "dmp:{dmp}:"
	keyZones  = global + "zones"
	keyTSIG   = global + "keys"
	seenPfx   = global + "seen:"
	ratePfx   = global + "rate:"
	chalPfx   = global + "chal:"
	zoneStart = "dmp:{"
)

// registerEvery is how often Apply repeats the SADD of its zone to the
// zone set, so a zone is found by Sweep again soon after Redis lost data.
const registerEvery = time.Minute

// register adds zone to the set Sweep walks, at most once per
// registerEvery on this node.
func (s *Store) register(ctx context.Context, zone string) error {
	if last, ok := s.zones.Load(zone); ok && time.Since(last.(time.Time)) < registerEvery {
		return nil
	}
	if err := s.c.SAdd(ctx, keyZones, zone).Err(); err != nil {
		return err
	}
	s.zones.Store(zone, time.Now())
	return nil
}

// zonePrefix returns the prefix of every key of zone.
func zonePrefix(zone string) string { return zoneStart + zone + "}:" }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return unavailable("ping", s.c.Ping(ctx).Err())
}

// Close closes the client.
func (s *Store) Close() error {
	if err := s.c.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// unavailable wraps a client error so callers see store.ErrUnavailable.
func unavailable(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w: %w", op, store.ErrUnavailable, err)
}

// isNil reports whether err is Redis's "no such key" reply.
func isNil(err error) bool { return errors.Is(err, redis.Nil) }

func ms(v int64) string { return strconv.FormatInt(v, 10) }
