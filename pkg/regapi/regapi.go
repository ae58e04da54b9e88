// Package regapi defines the wire format of a node's registration HTTP
// API (records-server-cli.md §B.5, §B.6, §B.8; DECISIONS N8, N13): the
// paths, the JSON bodies, the payload a registrant signs and its X25519
// proof of possession. The node (internal/register) and the client
// (pkg/dnsio) both use it, so the two sides cannot drift apart.
//
// Field names and the signed payload are the reference's, so its CLI and
// ours register the same way.
package regapi

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Registration endpoints, relative to the node's registration URL.
const (
	ChallengePath   = "/v1/registration/challenge"
	TSIGConfirmPath = "/v1/registration/tsig-confirm"
	HealthPath      = "/health"
)

// Version is the protocol version a challenge announces and the last byte
// of the signed payload.
const Version = 0x01

// Sizes of the hex-decoded fields, in bytes.
const (
	ChallengeSize = 32 // the nonce
	KeySize       = 32 // Ed25519 and X25519 public keys
	SignatureSize = 64 // Ed25519 signature
	PoPSize       = sha256.Size
)

// Challenge is the reply of GET ChallengePath. ServerPub is the node's
// ephemeral X25519 key for the proof of possession; a node without that
// step leaves it empty.
type Challenge struct {
	Challenge string `json:"challenge"`         // hex nonce, single use
	Node      string `json:"node"`              // the hostname the registrant signs
	ExpiresAt int64  `json:"expires_at"`        // Unix seconds
	ServerPub string `json:"server_x25519_pub"` // hex X25519 key
	Version   int    `json:"version"`
}

// ConfirmRequest is the body of POST TSIGConfirmPath. Binary fields are
// lowercase hex. X25519Pub and X25519PoP come together or not at all.
type ConfirmRequest struct {
	Subject    string `json:"subject"`
	Ed25519SPK string `json:"ed25519_spk"`
	Challenge  string `json:"challenge"`
	Signature  string `json:"signature"` // over SigningPayload
	X25519Pub  string `json:"x25519_pub,omitempty"`
	X25519PoP  string `json:"x25519_pop,omitempty"` // PossessionMAC
}

// Minted is the reply of a successful tsig-confirm: the TSIG key the node
// issued.
type Minted struct {
	KeyName   string   `json:"tsig_key_name"`
	SecretHex string   `json:"tsig_secret_hex"`
	Algorithm string   `json:"tsig_algorithm"`
	Suffixes  []string `json:"allowed_suffixes"`
	Subject   string   `json:"subject"`
	Zone      string   `json:"zone"`
	ExpiresAt int64    `json:"expires_at"` // Unix seconds; 0: never
}

// ErrorReply is the body of every failure status.
type ErrorReply struct {
	Error string `json:"error"`
}

// SigningPayload returns challenge || subject || node || Version, the
// bytes a registrant signs with its Ed25519 key.
func SigningPayload(challenge []byte, subject, node string) []byte {
	p := make([]byte, 0, len(challenge)+len(subject)+len(node)+1)
	p = append(append(append(p, challenge...), subject...), node...)
	return append(p, Version)
}

// PossessionMAC returns HMAC-SHA256(shared, challenge || subject ||
// xpub), where shared is X25519 of the registrant's key and the node's
// ephemeral key: the proof that the registrant holds xpub's private half.
func PossessionMAC(shared, challenge []byte, subject string, xpub []byte) []byte {
	mac := hmac.New(sha256.New, shared)
	mac.Write(challenge)
	mac.Write([]byte(subject))
	mac.Write(xpub)
	return mac.Sum(nil)
}
