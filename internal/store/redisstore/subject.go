package redisstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/redis/go-redis/v9"
)

// The subject index lets PutSubjectKey read only the keys of one subject
// (records-server-cli.md §B.5). Every key write goes through a script
// that updates the key hash and the index together:
//
//	dmp:{dmp}:subj:<subject>  HASH   key name -> "<expiry ms>:<hex SignKey>"
//	dmp:{dmp}:keysubj         HASH   key name -> subject, to unindex on replace
//	dmp:{dmp}:subjidx         STRING "1" once the index covers every key
//
// An expiry of 0 means the key never expires. Keys stored before the
// index existed are indexed by the first PutSubjectKey that finds
// subjidx missing. Nodes sharing one Redis must all maintain the index,
// so upgrade them together.
const (
	subjPfx     = global + "subj:"
	keySubjects = global + "keysubj"
	keySubjIdx  = global + "subjidx"
)

// keyLib: KEYS[1] = the key hash, KEYS[2] = keysubj; ARGV[1] = subjPfx.
const keyLib = `
local K, KS, SP = KEYS[1], KEYS[2], ARGV[1]

local function unindex(name)
  local old = redis.call('HGET', KS, name)
  if old then
    redis.call('HDEL', SP .. old, name)
    redis.call('HDEL', KS, name)
  end
end

local function put(name, json, subject, meta)
  unindex(name)
  redis.call('HSET', K, name, json)
  if subject ~= '' then
    redis.call('HSET', SP .. subject, name, meta)
    redis.call('HSET', KS, name, subject)
  end
end
`

// putKeyScript: ARGV = subjPfx, name, json, subject, meta.
var putKeyScript = redis.NewScript(keyLib + `
put(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
`)

// addKeyScript: ARGV = subjPfx, name, json, subject, meta. Returns 0,
// storing nothing, if a key of that name is stored.
var addKeyScript = redis.NewScript(keyLib + `
if redis.call('HEXISTS', K, ARGV[2]) == 1 then return 0 end
put(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
`)

// deleteKeyScript: ARGV = subjPfx, name. Returns 0 if there was no key.
var deleteKeyScript = redis.NewScript(keyLib + `
if redis.call('HDEL', K, ARGV[2]) == 0 then return 0 end
unindex(ARGV[2])
return 1
`)

// putSubjectScript: KEYS[3] = subjidx, KEYS[4] = the subject's index;
// ARGV = subjPfx, name, json, subject, meta, now ms, hex SignKey. Returns
// -1 when the index is not built yet, 0 when the subject is taken (the
// store.SubjectTaken rule on the indexed keys), 1 when k is stored.
var putSubjectScript = redis.NewScript(keyLib + `
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local now, spk = tonumber(ARGV[6]), ARGV[7]
local idx = redis.call('HGETALL', KEYS[4])
for i = 1, #idx, 2 do
  local exp, other = string.match(idx[i + 1], '^(-?%d+):(%x*)$')
  exp = tonumber(exp)
  if (exp == 0 or now < exp) and other ~= spk then return 0 end
end
put(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
`)

// indexMeta is a key's index entry: its expiry and Ed25519 key.
func indexMeta(k store.Key) string {
	var exp int64
	if !k.Expires.IsZero() {
		exp = k.Expires.UnixMilli()
	}
	return strconv.FormatInt(exp, 10) + ":" + hex.EncodeToString(k.SignKey)
}

// keyScriptKeys are the keys a key script touches that are known up
// front; all carry the {dmp} tag.
func keyScriptKeys(subject string) []string {
	return []string{keyTSIG, keySubjects, keySubjIdx, subjPfx + subject}
}

// keyArgs encodes k as the key scripts read it: ARGV[1..5].
func keyArgs(k store.Key) ([]any, error) {
	if k.Name == "" {
		return nil, fmt.Errorf("redisstore: key without a name")
	}
	b, err := json.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("redisstore: encode key %q: %w", k.Name, err)
	}
	return []any{subjPfx, k.Name, b, k.Subject, indexMeta(k)}, nil
}

// PutKey adds or replaces a TSIG key and its subject index entry.
func (s *Store) PutKey(ctx context.Context, k store.Key) error {
	args, err := keyArgs(k)
	if err != nil {
		return err
	}
	err = putKeyScript.Run(ctx, s.c, keyScriptKeys(k.Subject), args...).Err()
	return unavailable("put key", err)
}

// AddKey stores k and its subject index entry unless a key of its name
// is stored. One script checks and writes, so the step is atomic for
// every node sharing the Redis.
func (s *Store) AddKey(ctx context.Context, k store.Key) error {
	args, err := keyArgs(k)
	if err != nil {
		return err
	}
	n, err := addKeyScript.Run(ctx, s.c, keyScriptKeys(k.Subject), args...).Int()
	switch {
	case err != nil:
		return unavailable("add key", err)
	case n == 0:
		return fmt.Errorf("redisstore: key %q: %w", k.Name, store.ErrKeyExists)
	}
	return nil
}

// DeleteKey revokes the key called name, or returns store.ErrNotFound.
func (s *Store) DeleteKey(ctx context.Context, name string) error {
	n, err := deleteKeyScript.Run(ctx, s.c, keyScriptKeys("")[:2], subjPfx, name).Int()
	if err != nil {
		return unavailable("delete key", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: key %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// PutSubjectKey stores k unless another live key holds its subject. One
// script reads the subject's index entries, applies the anti-takeover
// rule and writes k with its entry, so the step is atomic for every node
// and costs the same however many keys are stored.
func (s *Store) PutSubjectKey(ctx context.Context, k store.Key, now time.Time) error {
	if k.Subject == "" {
		return fmt.Errorf("redisstore: subject key without a subject")
	}
	args, err := keyArgs(k)
	if err != nil {
		return err
	}
	args = append(args, ms(now.UnixMilli()), hex.EncodeToString(k.SignKey))
	for range 2 {
		n, err := putSubjectScript.Run(ctx, s.c, keyScriptKeys(k.Subject), args...).Int()
		switch {
		case err != nil:
			return unavailable("put subject key", err)
		case n == 1:
			return nil
		case n == 0:
			return fmt.Errorf("redisstore: %s: %w", k.Subject, store.ErrSubjectTaken)
		}
		if err := s.buildSubjectIndex(ctx); err != nil {
			return unavailable("build subject index", err)
		}
	}
	return unavailable("put subject key", errors.New("subject index missing after build"))
}

// indexRetries bounds the optimistic retries of buildSubjectIndex when
// other writers keep changing the key hash.
const indexRetries = 50

// buildSubjectIndex indexes every stored key and sets subjidx, in one
// MULTI/EXEC that fails if a key changed since it was read (then it
// starts over). It runs once per Redis data set.
func (s *Store) buildSubjectIndex(ctx context.Context) error {
	build := func(tx *redis.Tx) error {
		all, err := tx.HGetAll(ctx, keyTSIG).Result()
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, v := range all {
				k, err := decodeKey([]byte(v))
				if err != nil {
					return err
				}
				if k.Subject != "" {
					p.HSet(ctx, subjPfx+k.Subject, k.Name, indexMeta(k))
					p.HSet(ctx, keySubjects, k.Name, k.Subject)
				}
			}
			p.Set(ctx, keySubjIdx, "1", 0)
			return nil
		})
		return err
	}
	var err error
	for range indexRetries {
		err = s.c.Watch(ctx, build, keyTSIG, keySubjIdx)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return err
}
