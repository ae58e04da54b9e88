package register

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dnsmesh/dmp/internal/httpjson"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/regapi"

	"github.com/miekg/dns"
	"golang.org/x/crypto/curve25519"
)

// httpError is a failure with the status and text to answer.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func fail(status int, format string, args ...any) *httpError {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// request holds the checked fields of a tsig-confirm body.
type request struct {
	subject   string
	spk       []byte
	sig       []byte
	challenge []byte
	xpub      []byte // nil when absent
	pop       []byte // nil when absent
}

// confirm checks a signed challenge and mints a TSIG key. The order of the
// checks follows the reference so an unsigned caller learns nothing about
// allowlists or existing subjects: parse (400), consume the challenge
// (400), verify the signature (401), then policy (403, 409).
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	reply, err := h.mint(r)
	var he *httpError
	switch {
	case errors.As(err, &he):
		httpjson.Error(w, he.status, he.msg)
	case err != nil:
		unavailable(w)
	default:
		httpjson.Write(w, http.StatusOK, reply)
	}
}

func (h *Handler) mint(r *http.Request) (*regapi.Minted, error) {
	req, err := readRequest(r)
	if err != nil {
		return nil, err
	}
	priv, err := h.st.TakeChallenge(r.Context(), hex.EncodeToString(req.challenge))
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(priv) != 32) {
		return nil, fail(http.StatusBadRequest, "challenge expired or unknown")
	}
	if err != nil {
		return nil, err
	}
	payload := regapi.SigningPayload(req.challenge, req.subject, h.cfg.Node)
	if !keys.Verify(req.spk, payload, req.sig) {
		return nil, fail(http.StatusUnauthorized, "signature verification failed")
	}
	if !h.allowed(req.subject) {
		return nil, fail(http.StatusForbidden, "subject not in registration allowlist")
	}

	if req.xpub != nil && !popValid(priv, req) {
		return nil, fail(http.StatusUnauthorized, "x25519_pop verification failed: "+
			"registrant did not prove possession of the claimed X25519 key")
	}
	return h.issue(r, req)
}

// popValid checks the X25519 proof of possession.
func popValid(serverPriv []byte, req *request) bool {
	shared, err := curve25519.X25519(serverPriv, req.xpub)
	if err != nil {
		return false
	}
	want := regapi.PossessionMAC(shared, req.challenge, req.subject, req.xpub)
	return hmac.Equal(want, req.pop)
}

func (h *Handler) allowed(subject string) bool {
	if len(h.cfg.Allow) == 0 {
		return true
	}
	domain := subject[strings.LastIndexByte(subject, '@')+1:]
	for _, a := range h.cfg.Allow {
		if strings.TrimSuffix(strings.ToLower(strings.TrimSpace(a)), ".") == domain {
			return true
		}
	}
	return false
}

// issue stores and returns a new key unless another live key registered
// under a different Ed25519 key holds the subject (anti-takeover, 409);
// the store checks and writes in one atomic step, so concurrent
// registrations on any number of nodes cannot both win. Re-registering
// with the same Ed25519 key replaces the secret under the same key name.
func (h *Handler) issue(r *http.Request, req *request) (*regapi.Minted, error) {
	zone := h.cfg.ZoneFor(req.subject)
	local := req.subject[:strings.LastIndexByte(req.subject, '@')]
	spkHex := hex.EncodeToString(req.spk)
	name, ok := keyName(local, spkHex, req.subject, zone)
	if !ok {
		return nil, fail(http.StatusBadRequest,
			"subject local part too long for TSIG key label (max %d chars)", 63-16)
	}
	now := h.now()
	secret := make([]byte, 32)
	if _, err := io.ReadFull(randSource(h.cfg.Rand), secret); err != nil {
		return nil, fmt.Errorf("registration randomness: %w", err)
	}
	k := store.Key{
		Name:      name,
		Algorithm: dns.HmacSHA256,
		Secret:    base64.StdEncoding.EncodeToString(secret),
		Scope:     suffixes(h.cfg.Scope, local, spkHex, zone, req.xpub),
		SignKey:   req.spk,
		Created:   now,
		Subject:   req.subject,
	}
	if h.cfg.KeyLifetime > 0 {
		k.Expires = now.Add(h.cfg.KeyLifetime)
	}
	err := h.st.PutSubjectKey(r.Context(), k, now)
	if errors.Is(err, store.ErrSubjectTaken) {
		return nil, fail(http.StatusConflict, "subject already has a live key; "+
			"re-registration must be signed with the previously-registered Ed25519 key")
	}
	if err != nil {
		return nil, err
	}
	return replyFor(k, secret, zone), nil
}

func replyFor(k store.Key, secret []byte, zone string) *regapi.Minted {
	var exp int64
	if !k.Expires.IsZero() {
		exp = k.Expires.Unix()
	}
	return &regapi.Minted{
		KeyName:   k.Name,
		SecretHex: hex.EncodeToString(secret),
		Algorithm: "hmac-sha256",
		Suffixes:  k.Scope,
		Subject:   k.Subject,
		Zone:      zone,
		ExpiresAt: exp,
	}
}

func randSource(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// readRequest decodes and checks the tsig-confirm body.
func readRequest(r *http.Request) (*request, error) {
	var body map[string]any
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody+1))
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, fail(http.StatusBadRequest, "invalid body")
	}
	fields := map[string]string{}
	for _, name := range []string{"subject", "ed25519_spk", "challenge", "signature"} {
		s, ok := body[name].(string)
		if !ok || s == "" {
			return nil, fail(http.StatusBadRequest, "missing or non-string field: %s", name)
		}
		fields[name] = s
	}
	return checkFields(fields, body)
}

func checkFields(f map[string]string, body map[string]any) (*request, error) {
	req := &request{}
	var err error
	if req.subject, err = CanonicalSubject(f["subject"]); err != nil {
		return nil, fail(http.StatusBadRequest, "subject invalid: %v", err)
	}
	if req.spk, err = hexField(f["ed25519_spk"], regapi.KeySize, "ed25519_spk"); err != nil {
		return nil, err
	}
	if req.sig, err = hexField(f["signature"], regapi.SignatureSize, "signature"); err != nil {
		return nil, err
	}
	req.challenge, err = hexField(f["challenge"], regapi.ChallengeSize, "challenge")
	if err != nil {
		return nil, err
	}

	// A public key without a proof is ignored, as in the reference: the
	// key then gets no literal mailbox scope.
	xs, _ := body["x25519_pub"].(string)
	ps, _ := body["x25519_pop"].(string)
	xs = strings.ToLower(strings.TrimSpace(xs))
	if xs == "" || ps == "" {
		return req, nil
	}
	if req.xpub, err = hexField(xs, regapi.KeySize, "x25519_pub"); err != nil {
		return nil, err
	}
	if req.pop, err = hexField(ps, regapi.PoPSize, "x25519_pop"); err != nil {
		return nil, err
	}
	return req, nil
}

func hexField(s string, n int, field string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "%s: not valid hex", field)
	}
	if len(b) != n {
		return nil, fail(http.StatusBadRequest, "%s: expected %d bytes, got %d", field, n, len(b))
	}
	return b, nil
}
