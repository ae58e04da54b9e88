package dnsio

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/regapi"
)

// maxReplyBytes caps a registration reply body.
const maxReplyBytes = 64 << 10

// ErrRegistration is wrapped by every registration failure.
var ErrRegistration = errors.New("dnsio: registration failed")

// Minted is the TSIG key a node issued at registration.
type Minted = regapi.Minted

// RegisterTSIG runs the registration ceremony against baseURL: fetch a
// challenge, sign challenge || subject || node || 0x01 with the identity's
// Ed25519 key, prove possession of its X25519 key with
// HMAC-SHA256(X25519(own, server ephemeral), challenge || subject ||
// x25519_pub), and return the minted TSIG key.
func RegisterTSIG(ctx context.Context, hc *http.Client, baseURL, subject string,
	id *keys.Identity) (*Minted, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	base := strings.TrimSuffix(baseURL, "/")
	var ch regapi.Challenge
	if err := doJSON(ctx, hc, http.MethodGet, base+regapi.ChallengePath, nil, &ch); err != nil {
		return nil, err
	}
	body, err := confirmBody(&ch, subject, id)
	if err != nil {
		return nil, err
	}
	var m Minted
	if err := doJSON(ctx, hc, http.MethodPost, base+regapi.TSIGConfirmPath, body, &m); err != nil {
		return nil, err
	}
	if m.KeyName == "" || m.SecretHex == "" {
		return nil, fmt.Errorf("%w: node reply lacks a key", ErrRegistration)
	}
	return &m, nil
}

// confirmBody builds the signed tsig-confirm request.
func confirmBody(ch *regapi.Challenge, subject string,
	id *keys.Identity) (*regapi.ConfirmRequest, error) {
	nonce, err := hex.DecodeString(ch.Challenge)
	if err != nil || len(nonce) != regapi.ChallengeSize {
		return nil, fmt.Errorf("%w: bad challenge %q", ErrRegistration, ch.Challenge)
	}
	payload := regapi.SigningPayload(nonce, subject, ch.Node)

	body := &regapi.ConfirmRequest{
		Subject:    subject,
		Ed25519SPK: hex.EncodeToString(id.Ed25519Public),
		Challenge:  ch.Challenge,
		Signature:  hex.EncodeToString(id.Sign(payload)),
	}
	serverPub, err := hex.DecodeString(ch.ServerPub)
	if err != nil || len(serverPub) != regapi.KeySize {
		return body, nil // a node without the proof step: no mailbox scope
	}
	shared, err := id.SharedSecret(serverPub)
	if err != nil {
		return nil, fmt.Errorf("%w: server key: %w", ErrRegistration, err)
	}
	pop := regapi.PossessionMAC(shared, nonce, subject, id.X25519Public)
	body.X25519Pub = hex.EncodeToString(id.X25519Public)
	body.X25519PoP = hex.EncodeToString(pop)
	return body, nil
}

// HTTPError is a registration request the node answered with a failure
// status. It wraps ErrRegistration.
type HTTPError struct {
	Method, URL string
	Status      int
	Reason      string // the node's "error" text
	RetryAfter  string // the Retry-After header as sent, "" if none
}

// Error implements the error interface.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: %s %s: HTTP %d %s", ErrRegistration, e.Method, e.URL, e.Status,
		e.Reason)
}

// Unwrap makes errors.Is(err, ErrRegistration) hold.
func (e *HTTPError) Unwrap() error { return ErrRegistration }

// doJSON sends one request and decodes a 2xx JSON reply into out. A
// failure status becomes an error carrying the node's "error" text.
func doJSON(ctx context.Context, hc *http.Client, method, url string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%w: encode: %w", ErrRegistration, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRegistration, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRegistration, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if resp.StatusCode/100 != 2 {
		var e regapi.ErrorReply
		json.Unmarshal(b, &e) // a body that is not JSON leaves the reason empty
		return &HTTPError{Method: method, URL: url, Status: resp.StatusCode, Reason: e.Error,
			RetryAfter: resp.Header.Get("Retry-After")}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %s %s: reply is not JSON: %w", ErrRegistration, method, url, err)
	}
	return nil
}
