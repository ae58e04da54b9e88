package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/message"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// RecvResult is what one poll found.
type RecvResult struct {
	// Inbox holds the messages delivered to the inbox by this poll, each
	// already committed to the state before it is returned (DECISIONS C6).
	Inbox []state.Message
	// Intros holds first-contact messages queued for the user's decision.
	Intros []state.Message
	// Dropped counts the reasons messages were passed over.
	Dropped map[string]int
	// QueryErrors holds failed reads; the poll went on without them.
	QueryErrors []error
	// NewPrekeys counts prekeys published to top the pool up.
	NewPrekeys int
	// Swept is what the top-up's sweep of orphaned prekeys (published,
	// signed by this identity, their secret not held) deleted from DNS.
	Swept OrphanSweep
	// NoTopUp is ErrNoWriter when the pool ran low but no TSIG key is
	// registered to publish new prekeys, so none were made.
	NoTopUp error
	// Unopened holds the messages addressed to us that were found but
	// could not be opened, once each per poll (DECISIONS C7), so none is
	// passed over in silence.
	Unopened []Unopened
	// DeleteErrors holds failed deletes of consumed prekeys' records; each
	// stays owed and is retried by the next poll.
	DeleteErrors []error
}

// Unopened is a message addressed to us that could not be opened.
type Unopened struct {
	SenderSPK []byte
	Contact   string // the pinned contact with SenderSPK, "" if none
	MsgID     []byte
	Zone      string // where its manifest was found
	Err       error  // why: message.ErrPrekeyUnavailable, ErrDecrypt, ...
}

func (r *RecvResult) drop(reason string) { r.Dropped[reason]++ }

// maxClaimZones caps the distinct zones whose slots one poll reads for
// claims. Anyone may write claims (they are anonymous), so without a cap
// a node's worth of claims naming many zones would cost thousands of reads
// every poll.
const maxClaimZones = 8

// poll holds one Receive run's working sets.
type poll struct {
	res      *RecvResult
	contacts []state.Contact
	// done holds (spk, msg_id) pairs settled in this poll: delivered, or
	// failed and not to be retried until the next poll (DECISIONS C7).
	done map[string]bool
	// slots caches the slot RRsets read for claims in this poll, by owner,
	// and claimZones the zones claims sent it to: a flood of claims costs
	// at most maxClaimZones * SlotCount reads.
	slots      map[string][]string
	claimZones map[string]bool
	// failedDeletes holds the owed deletes that failed in this poll.
	failedDeletes map[string]bool
	// answered counts the reads of the own claims and slots that got an
	// answer; none at all means the node or resolver is unreachable.
	answered int
}

// read looks name up for the poll, recording a failure in the result.
func (c *Client) read(ctx context.Context, p *poll, name string) ([]string, bool) {
	vals, err := c.lookup(ctx, name)
	if err != nil {
		p.res.QueryErrors = append(p.res.QueryErrors, err)
		return nil, false
	}
	p.answered++
	return vals, true
}

// Receive polls once: the DNS deletions still owed first (a failure is
// reported in DeleteErrors and retried by the next poll), then claims in
// the own zone (message-path.md §15.3), then the slot walk over the own
// zone and the contacts' zones (§15.1 phase 2), then a prekey top-up,
// which first deletes the orphaned prekeys from the own pool. Failed
// reads are skipped and reported in the result, but when none of them got
// an answer, or ctx ends, it returns an error along with what it
// delivered.
func (c *Client) Receive(ctx context.Context) (*RecvResult, error) {
	if err := c.needID(); err != nil {
		return nil, err
	}
	p := &poll{res: &RecvResult{Dropped: map[string]int{}}, done: map[string]bool{},
		slots: map[string][]string{}, claimZones: map[string]bool{},
		failedDeletes: map[string]bool{}}
	err := c.State.Update(func(tx *state.Tx) error {
		var err error
		p.contacts, err = tx.Contacts()
		if err != nil {
			return err
		}
		if err := tx.PurgeSeen(c.now().Unix()); err != nil {
			return err
		}
		return purgePrekeys(tx, c.now().Unix())
	})
	if err != nil {
		return nil, err
	}
	c.flushDeletions(ctx, p)

	c.receiveClaims(ctx, p)
	for _, zone := range c.walkZones(p.contacts) {
		c.walkZone(ctx, p, zone)
	}
	if err := ctx.Err(); err != nil {
		return p.res, fmt.Errorf("client: receive: %w", err)
	}
	if p.answered == 0 && len(p.res.QueryErrors) > 0 {
		return p.res, fmt.Errorf("client: no read got an answer (%d failed): %w",
			len(p.res.QueryErrors), p.res.QueryErrors[0])
	}
	top, err := c.TopUpPrekeys(ctx)
	p.res.NewPrekeys, p.res.Swept = len(top.IDs), top.Swept
	switch {
	case errors.Is(err, ErrNoWriter):
		p.res.NoTopUp = err
	case err != nil:
		p.res.QueryErrors = append(p.res.QueryErrors, err)
	}
	return p.res, nil
}

// walkZones returns the own zone, then each contact's zone once.
func (c *Client) walkZones(cs []state.Contact) []string {
	zones := []string{c.Zone()}
	for _, ct := range cs {
		z := strings.ToLower(strings.TrimRight(ct.Domain, "."))
		if z != "" && !containsFold(zones, z) {
			zones = append(zones, z)
		}
	}
	return zones
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// receiveClaims reads the claims in the own zone and handles each
// message they point to; an unpinned sender's message goes to the intro
// queue.
func (c *Client) receiveClaims(ctx context.Context, p *poll) {
	uid := c.ID.UserID()
	for slot := range names.SlotCount {
		owner := names.Claim(slot, uid[:], c.Zone())
		vals, ok := c.read(ctx, p, owner)
		if !ok {
			continue
		}
		for _, v := range vals {
			cl, err := records.ParseClaimAt(owner, v, c.now())
			if err != nil {
				p.res.drop("invalid-claim")
				continue
			}
			c.handleClaim(ctx, p, cl)
		}
	}
}

// handleClaim finds the claimed manifest in the sender's zone and opens it.
func (c *Client) handleClaim(ctx context.Context, p *poll, cl *records.Claim) {
	key := seenKey(cl.SenderSPK[:], cl.MsgID[:])
	if p.done[key] {
		return
	}
	if skip := c.alreadyHandled(cl.SenderSPK[:], cl.MsgID[:]); skip != "" {
		p.res.drop(skip)
		p.done[key] = true
		return
	}
	m, reason := c.findManifest(ctx, p, cl)
	if m == nil {
		p.res.drop(reason)
		return
	}
	p.done[key] = true
	pinned := c.pinned(p.contacts, m.SenderSPK[:]) != nil
	c.openAndDeliver(ctx, p, m, cl.Domain, !pinned)
}

// alreadyHandled says why a message needs no work: seen, blocked or
// already queued; "" when it needs work.
func (c *Client) alreadyHandled(spk, msgID []byte) string {
	reason := ""
	c.State.View(func(tx *state.Tx) error {
		switch {
		case tx.Seen(spk, msgID):
			reason = "replay"
		case tx.Blocked(spk):
			reason = "denylisted"
		case tx.HasIntro(spk, msgID):
			reason = "already-pending"
		}
		return nil
	})
	return reason
}

// findManifest walks the recipient's ten slots in the claim's zone for
// the manifest the claim names, signed by the claim's sender. Each slot is
// read once per poll; past maxClaimZones zones it gives up.
func (c *Client) findManifest(ctx context.Context, p *poll,
	cl *records.Claim) (*records.Manifest, string) {
	zone := strings.ToLower(strings.TrimRight(cl.Domain, "."))
	own := names.SameDNSName(zone, c.Zone()) // walked anyway; never crowded out
	if !own && !p.claimZones[zone] && len(p.claimZones) >= maxClaimZones {
		return nil, "too-many-claim-zones"
	}
	if !own {
		p.claimZones[zone] = true
	}
	uid := c.ID.UserID()
	for slot := range names.SlotCount {
		owner := names.Slot(slot, uid[:], zone)
		vals, ok := p.slots[owner]
		if !ok {
			vals, _ = c.lookup(ctx, owner) // a failed read counts as empty
			p.slots[owner] = vals
		}
		for _, v := range vals {
			m, err := message.CheckManifest(v, c.ID, c.now())
			if err == nil && m.MsgID == cl.MsgID && m.SenderSPK == cl.SenderSPK {
				return m, ""
			}
		}
	}
	return nil, "manifest-not-found"
}

// walkZone reads the ten slots of the own mailbox in zone and opens the
// manifests of pinned senders (or of anyone under TOFU, DECISIONS C10).
func (c *Client) walkZone(ctx context.Context, p *poll, zone string) {
	uid := c.ID.UserID()
	for slot := range names.SlotCount {
		vals, ok := c.read(ctx, p, names.Slot(slot, uid[:], zone))
		if !ok {
			continue
		}
		for _, v := range vals {
			c.walkManifest(ctx, p, v, zone)
		}
	}
}

// walkManifest applies the slot walk's checks to one manifest value.
func (c *Client) walkManifest(ctx context.Context, p *poll, value, zone string) {
	m, err := message.CheckManifest(value, c.ID, c.now())
	if err != nil {
		p.res.drop(dropReason(err))
		return
	}
	key := seenKey(m.SenderSPK[:], m.MsgID[:])
	if p.done[key] {
		return
	}
	p.done[key] = true
	if c.pinned(p.contacts, m.SenderSPK[:]) == nil && !(c.Cfg.AllowTOFU && !anyPinned(p.contacts)) {
		p.res.drop("unpinned")
		return
	}
	if skip := c.alreadyHandled(m.SenderSPK[:], m.MsgID[:]); skip != "" {
		p.res.drop(skip)
		return
	}
	c.openAndDeliver(ctx, p, m, zone, false)
}

// pinned returns the contact pinned to signing key spk, or nil.
func (c *Client) pinned(cs []state.Contact, spk []byte) *state.Contact {
	for i := range cs {
		if bytes.Equal(cs[i].Ed25519, spk) {
			return &cs[i]
		}
	}
	return nil
}

func anyPinned(cs []state.Contact) bool {
	for _, ct := range cs {
		if len(ct.Ed25519) > 0 {
			return true
		}
	}
	return false
}

// dropReason names the reason an error from package message wraps.
func dropReason(err error) string {
	for _, r := range []error{message.ErrManifest, message.ErrWrongRecipient,
		message.ErrExpired, message.ErrLegacyManifest, message.ErrTooManyChunks,
		message.ErrMissingChunks, message.ErrMalformed, message.ErrHeaderMismatch,
		message.ErrHeaderExpired, message.ErrSenderMismatch,
		message.ErrPrekeyUnavailable, message.ErrDecrypt} {
		if errors.Is(err, r) {
			return r.Error()
		}
	}
	return "error"
}

func seenKey(spk, msgID []byte) string { return string(spk) + string(msgID) }

// flushDeletions removes the DNS records of consumed prekeys that are
// still owed. A failed delete (the node unreachable, its store down, a
// refusal) stays owed, is reported in the result and is tried again by
// the next poll, not again within this one; a record past its own expiry
// is gone anyway and is forgotten.
func (c *Client) flushDeletions(ctx context.Context, p *poll) {
	if c.Writer == nil {
		return
	}
	var ds []state.Deletion
	c.State.View(func(tx *state.Tx) error {
		var err error
		ds, err = tx.Deletions()
		return err
	})
	now := c.now().Unix()
	for _, d := range ds {
		key := d.Owner + "\x00" + d.Value
		if p.failedDeletes[key] {
			continue
		}
		if d.Exp != 0 && d.Exp < now {
			c.State.Update(func(tx *state.Tx) error { return tx.DoneDeletion(d) })
			continue
		}
		err := c.Writer.Apply(ctx, dnsio.Change{Op: dnsio.DeleteValue, Owner: d.Owner,
			Value: d.Value})
		if err != nil {
			p.failedDeletes[key] = true
			p.res.DeleteErrors = append(p.res.DeleteErrors,
				fmt.Errorf("delete used prekey %d from %s: %w", d.Prekey, d.Owner, err))
			continue
		}
		c.checkpoint(CheckpointDNSDelete)
		c.State.Update(func(tx *state.Tx) error {
			if err := tx.DoneDeletion(d); err != nil {
				return err
			}
			return confirmDeleted(tx, d.Prekey, now)
		})
	}
}
