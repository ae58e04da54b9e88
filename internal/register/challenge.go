package register

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/crypto/curve25519"
)

// challengeReply is the body of GET /v1/registration/challenge.
type challengeReply struct {
	Challenge string `json:"challenge"`
	Node      string `json:"node"`
	ExpiresAt int64  `json:"expires_at"`
	ServerPub string `json:"server_x25519_pub"`
	Version   int    `json:"version"`
}

// challenge issues a 32-byte single-use nonce with a fresh X25519 key pair
// for the proof of possession; the store keeps the private half.
func (h *Handler) challenge(w http.ResponseWriter, r *http.Request) {
	nonce, priv, err := h.fresh()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody("internal error"))
		return
	}
	pub, err := curve25519.X25519(priv, curve25519.Basepoint)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody("internal error"))
		return
	}

	id := hex.EncodeToString(nonce)
	if err := h.st.PutChallenge(r.Context(), id, priv, ChallengeTTL); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, errorBody("store unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, challengeReply{
		Challenge: id,
		Node:      h.cfg.Node,
		ExpiresAt: h.now().Add(ChallengeTTL).Unix(),
		ServerPub: hex.EncodeToString(pub),
		Version:   1,
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
