package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/envelope"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/message"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// chunksPerUpdate caps the chunk records of one UPDATE message.
const chunksPerUpdate = 16

// ErrNoX25519 is returned when sending to a contact pinned only by its
// signing key (from the intro queue).
var ErrNoX25519 = errors.New("client: contact has no encryption key yet")

// ErrPrekeyPoolUnread is returned by Send when the recipient's prekey pool
// could not be read and AllowNoPrekey is not set: sending anyway would
// drop forward secrecy for a network hiccup.
var ErrPrekeyPoolUnread = errors.New("client: cannot read the recipient's prekey pool")

// ClaimTTLCap bounds a claim's lifetime: nodes refuse an anonymous claim
// that lives longer than their claim cap (the reference's
// DMP_CLAIM_MAX_TTL and coredns-dmp's claim_ttl, both 24h by default), so
// a message sent with a longer ttl keeps its notification by asking less.
const ClaimTTLCap = 24 * time.Hour

// SendResult describes a sent message.
type SendResult struct {
	To       string `json:"to"`
	MsgID    string `json:"msg_id"`
	PrekeyID uint32 `json:"prekey_id"` // 0: sealed to the long-term key, no forward secrecy
	Chunks   int    `json:"chunks"`
	Slot     int    `json:"slot"`
	Version  int    `json:"version"` // 2 when the DMPv2 envelope carried our address
	Expires  int64  `json:"expires"`

	// Claim says where the notification claim went, or why not.
	Claim string `json:"claim"`
}

// Send seals body to the contact named to and publishes its chunks and
// manifest in the own zone, then a notification claim in the contact's
// zone (message-path.md §14). The message lives for ttl (DECISIONS C11).
func (c *Client) Send(ctx context.Context, to string, body []byte,
	ttl time.Duration) (*SendResult, error) {
	if ttl < time.Second || ttl > MaxMessageTTL {
		return nil, fmt.Errorf("client: ttl %s outside 1s..%s", ttl, MaxMessageTTL)
	}
	ct, err := c.sealableContact(to)
	if err != nil {
		return nil, err
	}

	pk, pkExp, err := c.pickPrekey(ctx, ct)
	if err != nil && !c.AllowNoPrekey {
		return nil, err
	}
	sender := c.senderAddr(ctx, ct)
	now := c.now()
	sent, err := message.Build(message.Message{Sender: c.ID, SenderAddr: sender,
		Recipient: ct.X25519, Prekey: pk, Body: body, Zone: c.Zone(), TTL: ttl, Now: now})
	if err != nil {
		return nil, fmt.Errorf("client: build message: %w", err)
	}
	// Remembered before publishing: a crash after publishing must not
	// let the next message reuse the prekey.
	if err := c.markPrekeyUsed(ct, pk, pkExp); err != nil {
		return nil, err
	}
	if err := c.publishMessage(ctx, sent, ttl); err != nil {
		return nil, err
	}

	res := &SendResult{To: ct.Name, MsgID: hex.EncodeToString(sent.MsgID[:]),
		PrekeyID: sent.PrekeyID, Chunks: sent.N, Slot: sent.Slot, Version: 1,
		Expires: now.Add(ttl).Unix()}
	if sender != "" {
		res.Version = 2
	}
	res.Claim = c.publishClaim(ctx, ct, sent, now, ttl)
	return res, nil
}

// MaxBody returns the largest body, in bytes, that Send accepts for the
// contact named to with lifetime ttl. It reads the contact's identity
// record, as Send does, to learn whether the DMPv2 envelope and its
// sender address take room, but needs no body: a caller holding one too
// big to read whole can still name the exact limit.
func (c *Client) MaxBody(ctx context.Context, to string, ttl time.Duration) (int, error) {
	ct, err := c.sealableContact(to)
	if err != nil {
		return 0, err
	}
	n, err := message.MaxBody(message.Message{Sender: c.ID,
		SenderAddr: c.senderAddr(ctx, ct), Recipient: ct.X25519, Zone: c.Zone(), TTL: ttl,
		Now: c.now()})
	if err != nil {
		return 0, fmt.Errorf("client: message limit: %w", err)
	}
	return n, nil
}

// sealableContact returns the contact named to when a message can be
// sealed to it: the own keys are unlocked and the contact's encryption key
// is pinned.
func (c *Client) sealableContact(to string) (state.Contact, error) {
	if err := c.needID(); err != nil {
		return state.Contact{}, err
	}
	ct, err := c.Contact(to)
	if err != nil {
		return state.Contact{}, err
	}
	if len(ct.X25519) != keys.X25519KeySize {
		return state.Contact{}, fmt.Errorf("%w: %s", ErrNoX25519, ct.Name)
	}
	return ct, nil
}

// senderAddr returns the own address for the DMPv2 envelope of a message
// to ct, or "" when ct does not read version 2.
func (c *Client) senderAddr(ctx context.Context, ct state.Contact) string {
	if !c.recipientReadsV2(ctx, ct) {
		return ""
	}
	addr, _ := envelope.Canonicalize(c.Cfg.Address())
	return addr
}

// publishMessage writes the chunks, then the manifest last, so a reader
// never sees a manifest whose chunks are not there yet (§14 steps 10–11).
func (c *Client) publishMessage(ctx context.Context, sent *message.Sent, ttl time.Duration) error {
	for start := 0; start < len(sent.Chunks); start += chunksPerUpdate {
		end := min(start+chunksPerUpdate, len(sent.Chunks))
		var changes []dnsio.Change
		for _, r := range sent.Chunks[start:end] {
			changes = append(changes, add(r, ttl))
		}
		if err := c.write(ctx, changes...); err != nil {
			return fmt.Errorf("client: publish chunks: %w", err)
		}
	}
	if err := c.write(ctx, add(sent.Manifest, ttl)); err != nil {
		return fmt.Errorf("client: publish manifest: %w", err)
	}
	return nil
}

func add(r message.Record, ttl time.Duration) dnsio.Change {
	return dnsio.Change{Op: dnsio.Add, Owner: r.Owner, Value: r.Value, TTL: seconds(ttl)}
}

// pickPrekey chooses at random one verified, unexpired prekey from the
// contact's pool under the contact's own domain (DECISIONS C3). It returns
// nil when the pool holds none or the contact has no signing key to
// verify one with, and an error wrapping ErrPrekeyPoolUnread when the
// pool could not be read.
func (c *Client) pickPrekey(ctx context.Context,
	ct state.Contact) (*message.Prekey, int64, error) {
	if len(ct.Ed25519) != records.KeySize {
		return nil, 0, nil
	}
	vals, err := c.lookup(ctx, names.PrekeyPool(ct.Username, ct.Domain))
	if err != nil {
		return nil, 0, fmt.Errorf("%w of %s: %w", ErrPrekeyPoolUnread, ct.Name, err)
	}
	now := c.now()
	var ok []*records.Prekey
	err = c.State.View(func(tx *state.Tx) error {
		for _, v := range vals {
			p, err := records.ParsePrekey(v, ct.Ed25519, now)
			if err == nil && !p.Expired(now) && !tx.Seen(usedPrekeyKey(ct, p.ID)) {
				ok = append(ok, p)
			}
		}
		return nil
	})
	if err != nil || len(ok) == 0 {
		return nil, 0, err
	}
	p := ok[randIndex(len(ok))]
	return &message.Prekey{ID: p.ID, Public: p.Public[:]}, int64(p.Exp), nil
}

// usedPrekeyKey is the replay-cache key under which a sender remembers a
// prekey it already sealed to, so its own messages never share one. The
// recipient keeps a used prekey's secret only for a grace window after
// the first message opens (consume.go): a second message sealed to it
// opens only inside that window, and both hang on the one secret.
func usedPrekeyKey(ct state.Contact, id uint32) ([]byte, []byte) {
	return []byte("prekey-used:" + ct.Name), binary.BigEndian.AppendUint32(nil, id)
}

// markPrekeyUsed remembers a prekey sealed to until it expires.
func (c *Client) markPrekeyUsed(ct state.Contact, pk *message.Prekey, exp int64) error {
	if pk == nil {
		return nil
	}
	return c.State.Update(func(tx *state.Tx) error {
		spk, id := usedPrekeyKey(ct, pk.ID)
		return tx.MarkSeen(spk, id, exp)
	})
}

func randIndex(n int) int {
	var b [4]byte
	rand.Read(b[:])
	return int(binary.BigEndian.Uint32(b[:]) % uint32(n))
}

// recipientReadsV2 reports whether the contact's identity record, signed
// by the pinned key, advertises version 2 (message-path.md §4.4).
func (c *Client) recipientReadsV2(ctx context.Context, ct state.Contact) bool {
	if ct.Username == "" || ct.Domain == "" || len(ct.Ed25519) == 0 {
		return false
	}
	_, _, cands, err := c.FetchIdentity(ctx, ct.Username+"@"+ct.Domain)
	if err != nil {
		return false
	}
	for _, cand := range cands {
		if bytes.Equal(cand.Record.Ed25519[:], ct.Ed25519) {
			for _, v := range cand.Record.Versions {
				if v == 2 {
					return true
				}
			}
			return false
		}
	}
	return false
}

// publishClaim writes the notification claim in the contact's zone
// (message-path.md §12.4 M10) and reports where it went. A failed claim
// never fails the send: the recipient's slot walk still finds the message.
func (c *Client) publishClaim(ctx context.Context, ct state.Contact, sent *message.Sent,
	now time.Time, ttl time.Duration) string {
	if len(c.Zone()) > records.MaxClaimDomain || ct.Domain == "" {
		return "skipped: zone name too long for a claim"
	}
	ttl = min(ttl, ClaimTTLCap)
	cl := &records.Claim{MsgID: sent.MsgID, Domain: c.Zone(), Slot: uint8(sent.Slot),
		TS: uint64(now.Unix()), Exp: uint64(now.Add(ttl).Unix())}
	copy(cl.SenderSPK[:], c.ID.Ed25519Public)
	wire, err := cl.Sign(c.ID.Ed25519)
	if err != nil {
		return "failed: " + err.Error()
	}
	rid := keys.UserID(ct.X25519)
	ch := dnsio.Change{Op: dnsio.Add, Owner: names.Claim(sent.Slot, rid[:], ct.Domain),
		Value: wire, TTL: seconds(ttl)}

	w, where := c.Writer, ct.Domain
	if !names.SameDNSName(ct.Domain, c.Zone()) {
		if c.ClaimWriter == nil {
			return "skipped: no way to reach the node of " + ct.Domain
		}
		var err error
		if w, err = c.ClaimWriter(ctx, ct.Domain); err != nil {
			return "skipped: " + err.Error()
		}
		if s, ok := w.(fmt.Stringer); ok {
			where += " via " + s.String()
		}
	}
	if w == nil {
		return "skipped: no writer for " + ct.Domain
	}
	if err := w.Apply(ctx, ch); err != nil {
		return "failed: " + err.Error()
	}
	return "published at " + where
}
