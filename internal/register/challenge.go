package register

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"github.com/dnsmesh/dmp/internal/httpjson"
	"github.com/dnsmesh/dmp/pkg/regapi"

	"golang.org/x/crypto/curve25519"
)

// challenge issues a 32-byte single-use nonce with a fresh X25519 key pair
// for the proof of possession; the store keeps the private half.
func (h *Handler) challenge(w http.ResponseWriter, r *http.Request) {
	nonce, priv, err := h.fresh()
	if err != nil {
		httpjson.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	pub, err := curve25519.X25519(priv, curve25519.Basepoint)
	if err != nil {
		httpjson.Error(w, http.StatusInternalServerError, "internal error")
		return
	}

	id := hex.EncodeToString(nonce)
	if err := h.st.PutChallenge(r.Context(), id, priv, ChallengeTTL); err != nil {
		unavailable(w)
		return
	}
	httpjson.Write(w, http.StatusOK, regapi.Challenge{
		Challenge: id,
		Node:      h.cfg.Node,
		ExpiresAt: h.now().Add(ChallengeTTL).Unix(),
		ServerPub: hex.EncodeToString(pub),
		Version:   regapi.Version,
	})
}

// fresh returns a random nonce and X25519 private key.
func (h *Handler) fresh() (nonce, priv []byte, err error) {
	src := h.cfg.Rand
	if src == nil {
		src = rand.Reader
	}
	buf := make([]byte, 64)
	if _, err := io.ReadFull(src, buf); err != nil {
		return nil, nil, fmt.Errorf("registration randomness: %w", err)
	}
	return buf[:32], buf[32:], nil
}
