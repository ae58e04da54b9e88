// Package admin serves the node's key administration endpoint and is the
// client dmpctl uses with it (DECISIONS N7). The endpoint listens on
// loopback only and requires the operator token as a bearer token; it
// lists, adds (with a scope) and revokes TSIG keys while the node runs,
// on either store.
//
//	GET    /v1/keys          -> [KeyInfo]
//	POST   /v1/keys          NewKey -> 201 KeyInfo with the secret (200 if
//	                         it replaced a key), 400 or 409
//	DELETE /v1/keys/{name}   -> 204, or 404 for an unknown key
//
// Secrets are returned once, when a key is added, and never listed. A
// scope pattern that covers the apex of a zone the node serves, or every
// name below it, lets the key write (and, literal, delete) everyone's
// records there: the endpoint refuses it with 409 unless NewKey.Force is
// set, and then lists it in KeyInfo.Warnings. Adding a name that already
// has a key is refused with 409 too, unless NewKey.Replace is set: a
// silent replacement would cut off every client holding the old secret.
// Each 409 carries a code (CodeZoneWide, CodeKeyExists) naming the field
// that would accept the request.
package admin

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/httpjson"
	"github.com/dnsmesh/dmp/internal/store"
)

// Store is the part of the node's store administration uses.
type Store interface {
	PutKey(ctx context.Context, k store.Key) error
	AddKey(ctx context.Context, k store.Key) error
	GetKey(ctx context.Context, name string) (store.Key, error)
	DeleteKey(ctx context.Context, name string) error
	ListKeys(ctx context.Context) ([]store.Key, error)
}

// KeyInfo describes one key on the wire.
type KeyInfo struct {
	Name      string    `json:"name"`
	Algorithm string    `json:"algorithm"`
	Scope     []string  `json:"scope"`
	Subject   string    `json:"subject,omitempty"`
	SignKey   string    `json:"sign_key,omitempty"` // hex Ed25519 key
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires,omitzero"`
	Secret    string    `json:"secret,omitempty"`   // base64; only when added
	Warnings  []string  `json:"warnings,omitempty"` // zone-wide scopes; only when added
	Replaced  bool      `json:"replaced,omitempty"` // the add replaced a key of that name
}

// NewKey is the body of POST /v1/keys.
type NewKey struct {
	Name      string   `json:"name"`
	Algorithm string   `json:"algorithm,omitempty"` // default hmac-sha256
	Secret    string   `json:"secret,omitempty"`    // base64; generated when empty
	Scope     []string `json:"scope"`
	TTL       int64    `json:"ttl_seconds,omitempty"` // 0: never expires; < 0 refused
	Force     bool     `json:"force,omitempty"`       // accept zone-wide scopes
	Replace   bool     `json:"replace,omitempty"`     // replace a key of that name
}

// Codes of a 409 reply's "code" field: what the endpoint refused and which
// NewKey field would make it accept the request.
const (
	CodeZoneWide  = "zone_wide"  // a zone-wide scope; Force accepts it
	CodeKeyExists = "key_exists" // the name has a key; Replace replaces it
)

// CheckLoopback refuses a listen address whose host is not a loopback
// address or "localhost".
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("admin address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("admin address %q: must be a loopback address", addr)
	}
	return nil
}

// Handler serves the admin endpoint.
type Handler struct {
	token string
	st    Store
	zones []string // the node's served zones, for the zone-wide check
	now   func() time.Time
	rand  io.Reader
	mux   *http.ServeMux
}

// New returns a Handler that accepts token for a node serving zones. now
// and rand may be nil.
func New(token string, st Store, zones []string, now func() time.Time,
	rand io.Reader) *Handler {
	if now == nil {
		now = time.Now
	}
	h := &Handler{token: token, st: st, zones: zones, now: now, rand: rand,
		mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /v1/keys", h.list)
	h.mux.HandleFunc("POST /v1/keys", h.add)
	h.mux.HandleFunc("DELETE /v1/keys/{name}", h.revoke)
	return h
}

// ServeHTTP implements http.Handler after checking the operator token.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if h.token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) != 1 {
		httpjson.Error(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	h.mux.ServeHTTP(w, r)
}
