package admin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/dnsmesh/dmp/internal/httpjson"
	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

func info(k store.Key) KeyInfo {
	ki := KeyInfo{Name: k.Name, Algorithm: k.Algorithm, Scope: k.Scope, Subject: k.Subject,
		Created: k.Created, Expires: k.Expires}
	if len(k.SignKey) > 0 {
		ki.SignKey = hex.EncodeToString(k.SignKey)
	}
	return ki
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	ks, err := h.st.ListKeys(r.Context())
	if err != nil {
		httpjson.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	out := make([]KeyInfo, 0, len(ks))
	for _, k := range ks {
		out = append(out, info(k))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	httpjson.Write(w, http.StatusOK, out)
}

func (h *Handler) add(w http.ResponseWriter, r *http.Request) {
	var nk NewKey
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&nk); err != nil {
		httpjson.Error(w, http.StatusBadRequest, "invalid body")
		return
	}
	k, secret, err := h.build(nk)
	var zw *zoneWideError
	switch {
	case errors.As(err, &zw):
		conflict(w, CodeZoneWide, err.Error())
		return
	case err != nil:
		httpjson.Error(w, http.StatusBadRequest, err.Error())
		return
	}

	replaced, err := h.putNew(r.Context(), k, nk.Replace)
	switch {
	case errors.Is(err, store.ErrKeyExists):
		conflict(w, CodeKeyExists, fmt.Sprintf("key %s exists; revoke it first, "+
			"or pass --replace", k.Name))
		return
	case err != nil:
		httpjson.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	ki := info(k)
	ki.Secret, ki.Replaced = secret, replaced
	ki.Warnings = zoneWide(k.Scope, h.zones)
	status := http.StatusCreated
	if replaced {
		status = http.StatusOK
	}
	httpjson.Write(w, status, ki)
}

// putNew stores k unless a key of its name exists and replace is false
// (an error wrapping store.ErrKeyExists), and reports whether it replaced
// one.
//
// Without replace, the store's AddKey checks and writes in one step that
// is atomic for every node on the backend: of two adds of one new name,
// at one node or at two nodes sharing a Redis, exactly one is stored and
// the other refused, and a key already in use is never overwritten, so
// its clients are never cut off by an add that did not ask to replace.
// With replace, an add refused as existing becomes a PutKey.
func (h *Handler) putNew(ctx context.Context, k store.Key, replace bool) (bool, error) {
	err := h.st.AddKey(ctx, k)
	switch {
	case err == nil:
		return false, nil
	case !errors.Is(err, store.ErrKeyExists) || !replace:
		return false, fmt.Errorf("key %s: %w", k.Name, err)
	}
	if err := h.st.PutKey(ctx, k); err != nil {
		return false, fmt.Errorf("key %s: %w", k.Name, err)
	}
	return true, nil
}

// conflict answers 409 with the error text and the code that says which
// NewKey field would accept the request.
func conflict(w http.ResponseWriter, code, msg string) {
	httpjson.Write(w, http.StatusConflict, map[string]string{"error": msg, "code": code})
}

// build checks a NewKey and returns the key to store and its secret.
func (h *Handler) build(nk NewKey) (store.Key, string, error) {
	nk, err := nk.canonical()
	if err != nil {
		return store.Key{}, "", err
	}
	secret, err := h.secret(nk.Secret)
	if err != nil {
		return store.Key{}, "", err
	}
	if wide := zoneWide(nk.Scope, h.zones); len(wide) > 0 && !nk.Force {
		return store.Key{}, "", &zoneWideError{wide}
	}

	now := h.now()
	k := store.Key{Name: nk.Name, Algorithm: nk.Algorithm, Secret: secret, Scope: nk.Scope,
		Created: now}
	if nk.TTL > 0 {
		k.Expires = now.Add(time.Duration(nk.TTL) * time.Second)
	}
	return k, secret, nil
}

// secret returns a given secret, which canonical checked, or makes a
// 32-byte one.
func (h *Handler) secret(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	src := h.rand
	if src == nil {
		src = rand.Reader
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(src, raw); err != nil {
		return "", fmt.Errorf("key secret: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// revoke takes any name, also one canonical would refuse, so that a key
// stored under such a name by an older node can still be revoked.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	name := dns.CanonicalName(r.PathValue("name"))
	err := h.st.DeleteKey(r.Context(), name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		httpjson.Error(w, http.StatusNotFound, "no key "+name)
	case err != nil:
		httpjson.Error(w, http.StatusServiceUnavailable, err.Error())
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
