// Package store defines the storage contract of the dmp CoreDNS plugin: TXT
// values per owner name with an absolute expiry, atomic RFC 2136 updates,
// and the small pieces of shared state that several nodes on one backend
// must agree on (TSIG keys, the TSIG MAC replay cache, rate buckets and
// registration challenges, DECISIONS N13).
//
// Two implementations satisfy it: package redisstore (standalone, Sentinel
// or Cluster through go-redis UniversalClient) and package boltstore (an
// embedded bbolt file). Package storetest holds the suite both must pass.
//
// Owner names and zones are passed fully qualified and lower-case
// ("slot-0.mb-0123456789ab.example.org."); the plugin lower-cases before
// calling (DECISIONS N2). Values are the joined TXT payload (package txt),
// never split.
//
// Time: every method that decides liveness takes an explicit now. A value
// is live while now is before its Expires; at Expires exactly it is
// expired and never served again. Stores keep expiries to the
// millisecond. A zone must not contain '{' or '}' (Redis hash tags).
//
// Caps: Update.MaxPerOwner, Update.MaxOwnerBytes and Update.WriterQuota
// are checked only when an update adds values, against the state after
// the whole update, so deletes and refreshes always fit. A value counts
// toward the quota of the writer who added or refreshed it last.
package store

import (
	"bytes"
	"context"
	"errors"
	"time"
)

// Value is one live TXT value and the time it stops being served.
type Value struct {
	Data    string
	Expires time.Time
}

// Op says what one Change does.
type Op int

const (
	// OpAdd adds Value to Owner's RRset, or refreshes its expiry if present.
	// Other values are never removed (append semantics).
	OpAdd Op = iota
	// OpDeleteValue removes Value from Owner's RRset (RFC 2136 class NONE).
	OpDeleteValue
	// OpDeleteRRset removes every value at Owner (RFC 2136 class ANY).
	OpDeleteRRset
)

// Change is one update to one owner name's TXT RRset.
type Change struct {
	Op    Op
	Owner string
	Value string        // for OpAdd and OpDeleteValue
	TTL   time.Duration // for OpAdd: lifetime, already capped by the caller
}

// PrereqKind names an RFC 2136 §2.4 prerequisite, applied to TXT RRsets and
// names. The plugin answers prerequisites on the synthesized apex SOA/NS
// itself and only hands TXT and name prerequisites to the store.
type PrereqKind int

const (
	// RRsetExists: Owner has at least one live TXT value (§2.4.1).
	RRsetExists PrereqKind = iota
	// RRsetEquals: Owner's live TXT values are exactly Values (§2.4.2).
	RRsetEquals
	// RRsetAbsent: Owner has no live TXT value (§2.4.3).
	RRsetAbsent
	// NameInUse: Owner has a live value (§2.4.4).
	NameInUse
	// NameNotInUse: Owner has no live value (§2.4.5).
	NameNotInUse
)

// Prereq is one prerequisite of an Update.
type Prereq struct {
	Kind   PrereqKind
	Owner  string
	Values []string // for RRsetEquals, in any order
}

// Update is one RFC 2136 message after parsing and authorisation: its
// prerequisites and changes are applied together or not at all.
type Update struct {
	Zone    string
	Prereqs []Prereq
	Changes []Change

	// MaxPerOwner caps the live values one owner may hold after the
	// update; 0 means no cap.
	MaxPerOwner int

	// MaxOwnerBytes caps the wire size of one owner's live TXT RRset after
	// the update, the sum of RRBytes over its values, so that the whole
	// RRset fits one DNS message over TCP; 0 means no cap.
	MaxOwnerBytes int

	// Writer names who writes (a TSIG key name, or "ip:<addr>" for an
	// anonymous claim) and WriterQuota caps the live values added by that
	// writer across the zone; 0 means no quota.
	Writer      string
	WriterQuota int
}

// rrOverhead is what one TXT RR of an answer takes besides its
// character-strings: a compressed owner name (a 2-byte pointer), type,
// class, TTL and RDLENGTH.
const rrOverhead = 2 + 2 + 2 + 4 + 2

// RRBytes is the size on the wire of value as one TXT RR of an answer: its
// bytes, one length byte per character-string of at most 255 bytes (an
// empty value is one empty string), and rrOverhead. MaxOwnerBytes sums it.
func RRBytes(value string) int {
	strs := max(1, (len(value)+254)/255)
	return len(value) + strs + rrOverhead
}

// Key is a TSIG key with the owner-name scope it may write.
type Key struct {
	Name      string    // fully qualified, lower-case key name
	Algorithm string    // miekg/dns form, e.g. dns.HmacSHA256
	Secret    string    // base64, as miekg/dns wants it
	Scope     []string  // owner-name patterns, see plugin docs
	SignKey   []byte    // optional Ed25519 public key bound at registration
	Created   time.Time //

	// Subject is the registered "user@host" of a self-service key (empty
	// for operator keys) and Expires the end of its life (zero: never).
	// A key past Expires is treated as absent by the plugin.
	Subject string
	Expires time.Time
}

// Errors an implementation returns; callers test them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrPrereq   = errors.New("prerequisite failed")
	// ErrOwnerFull: an owner would exceed MaxPerOwner or MaxOwnerBytes.
	ErrOwnerFull   = errors.New("owner name holds too many values")
	ErrQuota       = errors.New("writer quota exceeded")
	ErrUnavailable = errors.New("store unavailable")
	// ErrSubjectTaken: PutSubjectKey found the subject held by a live key
	// registered under another Ed25519 key.
	ErrSubjectTaken = errors.New("subject held by another key")
	// ErrKeyExists: AddKey found a key of that name stored.
	ErrKeyExists = errors.New("key exists")
)

// SubjectTaken reports whether a live key among keys is registered for
// k.Subject with a SignKey other than k's: the registration anti-takeover
// rule (records-server-cli.md §B.5). A key is live until its Expires
// (zero: forever). Implementations of PutSubjectKey apply it to the keys
// they hold inside the step that stores k.
func SubjectTaken(keys []Key, k Key, now time.Time) bool {
	for _, o := range keys {
		live := o.Expires.IsZero() || now.Before(o.Expires)
		if live && o.Subject == k.Subject && !bytes.Equal(o.SignKey, k.SignKey) {
			return true
		}
	}
	return false
}

// PrereqError reports which prerequisite failed, so the plugin can answer
// the RFC 2136 §3.2.5 rcode (YXDOMAIN, YXRRSET, NXDOMAIN or NXRRSET). It
// wraps ErrPrereq.
type PrereqError struct {
	Index int // into Update.Prereqs
	Kind  PrereqKind
}

// Error implements the error interface.
func (e *PrereqError) Error() string { return "prerequisite failed" }

// Unwrap lets errors.Is match ErrPrereq.
func (e *PrereqError) Unwrap() error { return ErrPrereq }

// Store is the plugin's backend. Every method is safe for concurrent use
// and honours ctx. A method that cannot reach its backend returns an error
// wrapping ErrUnavailable.
type Store interface {
	// Lookup returns the live TXT values at owner and reports whether the
	// name exists at all: it has live values or a live name below it (an
	// empty non-terminal, DECISIONS N3). Expired values are never returned.
	// The zone apex always exists. Values come sorted by Data.
	Lookup(ctx context.Context, zone, owner string,
		now time.Time) (vals []Value, exists bool, err error)

	// Apply checks u's prerequisites and applies its changes atomically,
	// in order. It returns a *PrereqError, or an error wrapping
	// ErrOwnerFull (count or byte cap) or ErrQuota, and then changes
	// nothing. An owner outside u.Zone is an error too.
	Apply(ctx context.Context, u Update, now time.Time) error

	// Sweep deletes values that are expired at now, and the index entries
	// that only they kept alive, and returns how many values it deleted.
	Sweep(ctx context.Context, now time.Time) (int, error)

	// Count returns the number of live values stored in zone.
	Count(ctx context.Context, zone string, now time.Time) (int64, error)

	// PutKey adds or replaces a TSIG key; GetKey returns ErrNotFound for an
	// unknown name; DeleteKey revokes one (ErrNotFound if absent).
	PutKey(ctx context.Context, k Key) error
	GetKey(ctx context.Context, name string) (Key, error)
	DeleteKey(ctx context.Context, name string) error
	ListKeys(ctx context.Context) ([]Key, error)

	// AddKey stores k unless a key of its name is stored, expired or not:
	// then it stores nothing and returns an error wrapping ErrKeyExists.
	// Check and write are one atomic step for every node on the backend,
	// so of two adds of one new name at two nodes exactly one wins, and a
	// key in use is never overwritten by an add that did not ask to.
	AddKey(ctx context.Context, k Key) error

	// PutSubjectKey stores k, a key registered for k.Subject, unless
	// SubjectTaken holds for the keys stored at now: then it stores
	// nothing and returns an error wrapping ErrSubjectTaken. Check and
	// write are one atomic step for every node on the backend, so two
	// registrations of one subject under different keys never both win.
	PutSubjectKey(ctx context.Context, k Key, now time.Time) error

	// FirstSeen records id for ttl and reports whether this is its first
	// sighting; it backs the TSIG MAC replay cache.
	FirstSeen(ctx context.Context, id string, ttl time.Duration) (bool, error)

	// Allow counts one event in bucket for a fixed window and reports
	// whether the count is still within limit. The window holding now
	// starts at now truncated to a multiple of window since the Unix epoch.
	Allow(ctx context.Context, bucket string, limit int, window time.Duration,
		now time.Time) (bool, error)

	// PutChallenge stores a registration challenge for ttl; TakeChallenge
	// returns and deletes it in one step (ErrNotFound if absent or expired).
	PutChallenge(ctx context.Context, id string, data []byte, ttl time.Duration) error
	TakeChallenge(ctx context.Context, id string) ([]byte, error)

	// Ping reports whether the backend is reachable; Close releases it.
	Ping(ctx context.Context) error
	Close() error
}
