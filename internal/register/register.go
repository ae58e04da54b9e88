// Package register serves the node's registration HTTP API: a client
// proves control of its Ed25519 identity key (and, optionally, of its
// X25519 key) and receives a per-user TSIG key scoped to its own owner
// names (records-server-cli.md §B.5, §B.8; DECISIONS N8, N13).
//
// Paths, JSON bodies and the signed payload are defined once in pkg/regapi
// and are the reference's, so its CLI and ours register the same way:
//
//	GET  /v1/registration/challenge     -> {challenge, node, expires_at,
//	                                        server_x25519_pub, version}
//	POST /v1/registration/tsig-confirm  {subject, ed25519_spk, challenge,
//	                                     signature, [x25519_pub, x25519_pop]}
//	                                    -> {tsig_key_name, tsig_secret_hex,
//	                                        tsig_algorithm, allowed_suffixes,
//	                                        subject, zone, expires_at}
//	GET  /health                        -> {status: ok} or 503 degraded
//
// The client signs challenge || subject || node || 0x01. The proof of
// possession is HMAC-SHA256 keyed with X25519(server ephemeral, client
// key) over challenge || subject || x25519_pub. Challenges, keys and the
// per-IP rate limit live in the store, so several nodes agree. The limit
// counts registrations: each takes one challenge, so challenges are
// counted; confirms, which each spend one single-use challenge, have their
// own bucket of twice the limit.
//
// A 429 (rate limit) carries Retry-After with the seconds left in the
// fixed rate window; a 503 (store unavailable, or /health degraded)
// carries Retry-After StoreRetryAfter.
package register

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/dnsmesh/dmp/internal/httpjson"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/regapi"
)

// Store is the part of the node's store registration uses.
type Store interface {
	PutSubjectKey(ctx context.Context, k store.Key, now time.Time) error
	PutChallenge(ctx context.Context, id string, data []byte, ttl time.Duration) error
	TakeChallenge(ctx context.Context, id string) ([]byte, error)
	Allow(ctx context.Context, bucket string, limit int, window time.Duration,
		now time.Time) (bool, error)
	Ping(ctx context.Context) error
}

// Scope modes for minted keys (the reference's DMP_TSIG_TIGHT_SCOPE and
// DMP_TSIG_LOOSE_SCOPE).
const (
	ScopeDefault = "default" // own names plus the shared mailbox and chunk wildcards
	ScopeTight   = "tight"   // own names only
	ScopeLoose   = "loose"   // the whole zone
)

// Config configures the registration API.
type Config struct {
	Node        string        // node hostname the client signs; required
	Zone        string        // zone keys are scoped under by default
	Zones       []string      // every served zone; see ZoneFor
	Allow       []string      // subject domains allowed; empty: any
	KeyLifetime time.Duration // lifetime of minted keys; 0: never expire
	Scope       string        // ScopeDefault, ScopeTight or ScopeLoose
	Rate        int           // registrations per source IP per Window; 0: no limit
	Window      time.Duration
	Now         func() time.Time // nil: time.Now
	Rand        io.Reader        // nil: crypto/rand
}

// ChallengeTTL is how long a challenge may be answered.
const ChallengeTTL = 60 * time.Second

// StoreRetryAfter is the Retry-After sent with a 503 when the store does
// not answer: long enough not to hammer a store that is failing over,
// short enough that a client retrying by hand does not wait for nothing.
const StoreRetryAfter = 5 * time.Second

// maxBody caps a request body, as the reference does.
const maxBody = 16 << 10

// Handler serves the registration API.
type Handler struct {
	cfg Config
	st  Store
	mux *http.ServeMux
}

// New returns a Handler for cfg backed by st.
func New(cfg Config, st Store) *Handler {
	h := &Handler{cfg: cfg, st: st, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+regapi.ChallengePath, h.limited("reg:", 1, h.challenge))
	h.mux.HandleFunc("POST "+regapi.TSIGConfirmPath,
		h.limited("reg-confirm:", confirmAllowance, h.confirm))
	h.mux.HandleFunc("GET "+regapi.HealthPath, h.health)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		httpjson.Error(w, http.StatusNotFound, "not found")
	})
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) now() time.Time {
	if h.cfg.Now != nil {
		return h.cfg.Now()
	}
	return time.Now()
}

// confirmAllowance is how many confirms per registration a source may
// send. Each registration takes exactly one challenge, and a confirm
// spends its challenge whatever the outcome, so only the challenge is
// charged to the registration count; the confirm bucket just bounds the
// store lookups of confirms carrying unknown challenges. Twice the rate
// leaves room for a confirm whose challenge was charged to the previous
// window.
const confirmAllowance = 2

// limited applies the per-IP bucket named prefix, allowing per times the
// configured rate, before next.
func (h *Handler) limited(prefix string, per int, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.cfg.Rate > 0 {
			ok, err := h.st.Allow(r.Context(), prefix+clientIP(r), per*h.cfg.Rate,
				h.cfg.Window, h.now())
			if err != nil {
				unavailable(w)
				return
			}
			if !ok {
				setRetryAfter(w, windowLeft(h.now(), h.cfg.Window))
				httpjson.Error(w, http.StatusTooManyRequests, "registration rate limit exceeded")
				return
			}
		}
		next(w, r)
	}
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	if err := h.st.Ping(r.Context()); err != nil {
		setRetryAfter(w, StoreRetryAfter)
		httpjson.Write(w, http.StatusServiceUnavailable,
			map[string]string{"status": "degraded", "store": "unavailable"})
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// unavailable answers 503 for a store that did not answer, with
// Retry-After.
func unavailable(w http.ResponseWriter) {
	setRetryAfter(w, StoreRetryAfter)
	httpjson.Error(w, http.StatusServiceUnavailable, "store unavailable")
}

// setRetryAfter sets Retry-After to d in whole seconds, rounded up and at
// least 1 (RFC 9110 §10.2.3).
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	secs := max(int64((d+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
}

// windowLeft is the time from now to the end of the fixed rate window
// holding now; windows start at multiples of window since the Unix epoch,
// as store.Store's Allow counts them.
func windowLeft(now time.Time, window time.Duration) time.Duration {
	if window <= 0 {
		return 0
	}
	return window - time.Duration(now.UnixNano()%int64(window))
}
