package client

import (
	"bytes"
	"context"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/message"
	"github.com/dnsmesh/dmp/pkg/records"
)

// openAndDeliver fetches and opens manifest m from zone, then commits it
// to the inbox, or to the intro queue when toIntro is set. The delivered
// message, its replay entry and the consumed prekey's deletion are one
// transaction, done before the message is returned for display
// (DECISIONS C6).
func (c *Client) openAndDeliver(ctx context.Context, p *poll, m *records.Manifest,
	zone string, toIntro bool) {
	r := message.Recipient{
		Identity:     c.ID,
		PrekeySecret: c.prekeySecret,
		PinnedSender: func(spk []byte) []byte {
			if ct := c.pinned(p.contacts, spk); ct != nil && len(ct.X25519) > 0 {
				return ct.X25519
			}
			return nil
		},
	}
	lookup := func(owner string) ([]string, error) { return c.Reader.LookupTXT(ctx, owner) }
	d, err := message.Open(m, zone, r, lookup, c.now())
	if err != nil {
		c.noteUnopened(p, m, zone, err)
		return
	}
	c.checkpoint(CheckpointOpened)

	msg := c.stateMessage(ctx, p, m, d, zone)
	fresh, err := c.commit(&msg, toIntro)
	if fresh {
		c.checkpoint(CheckpointCommitted)
	}
	c.report(p, msg, fresh, toIntro, err)
	if fresh && msg.PrekeyID != 0 {
		c.flushDeletions(ctx, p)
	}
}

// noteUnopened counts a manifest that did not open as dropped and lists
// it with its sender, for the user to see.
func (c *Client) noteUnopened(p *poll, m *records.Manifest, zone string, err error) {
	p.res.drop(dropReason(err))
	u := Unopened{SenderSPK: m.SenderSPK[:], MsgID: m.MsgID[:], Zone: zone, Err: err}
	if ct := c.pinned(p.contacts, m.SenderSPK[:]); ct != nil {
		u.Contact = ct.Name
	}
	p.res.Unopened = append(p.res.Unopened, u)
}

// stateMessage is the stored form of opened message d, with the pinned
// contact's name and the sender's verified address when it has them.
func (c *Client) stateMessage(ctx context.Context, p *poll, m *records.Manifest,
	d *message.Delivered, zone string) state.Message {
	msg := state.Message{MsgID: d.MsgID[:], SenderSPK: d.SenderSPK[:], Body: d.Body,
		Sent: d.TS, Received: c.now().Unix(), Exp: int64(m.Exp), PrekeyID: d.PrekeyID,
		Domain: zone}
	if ct := c.pinned(p.contacts, d.SenderSPK[:]); ct != nil {
		msg.Contact = ct.Name
	}
	if d.ClaimedFrom != "" && c.verifyLabel(ctx, d.ClaimedFrom, d.SenderSPK[:]) {
		msg.Label = d.ClaimedFrom
	}
	return msg
}

// report adds the outcome of committing msg to the poll's result: an
// error, a replay, an intro, or an inbox message handed to OnInbox.
func (c *Client) report(p *poll, msg state.Message, fresh, toIntro bool, err error) {
	switch {
	case err != nil:
		p.res.QueryErrors = append(p.res.QueryErrors, err)
	case !fresh:
		p.res.drop("replay")
	case toIntro:
		p.res.Intros = append(p.res.Intros, msg)
	default:
		p.res.Inbox = append(p.res.Inbox, msg)
		if c.OnInbox != nil {
			c.OnInbox(msg)
		}
		c.checkpoint(CheckpointShown)
	}
}

// prekeySecret returns the stored secret of a prekey without consuming
// it, while its window lasts (see prekeyEraseAt).
func (c *Client) prekeySecret(id uint32) ([]byte, bool) {
	var priv []byte
	c.State.View(func(tx *state.Tx) error {
		p, err := tx.Prekey(id)
		if err == nil && prekeyUsable(tx, p, c.now().Unix()) {
			priv = p.Private
		}
		return nil
	})
	return priv, priv != nil
}

// commit stores msg in one transaction with its replay entry and the
// consumption of its prekey, whose published record is queued for
// deletion while its secret is kept for the grace window (consume.go).
// It reports false when another run delivered msg first.
func (c *Client) commit(msg *state.Message, toIntro bool) (bool, error) {
	fresh := false
	err := c.State.Update(func(tx *state.Tx) error {
		if tx.Seen(msg.SenderSPK, msg.MsgID) {
			return nil
		}
		if err := consumePrekey(tx, msg.PrekeyID, c.now().Unix()); err != nil {
			return err
		}
		if err := tx.MarkSeen(msg.SenderSPK, msg.MsgID, msg.Exp); err != nil {
			return err
		}
		var err error
		if toIntro {
			msg.ID, fresh, err = tx.AddIntro(*msg)
			return err
		}
		msg.ID, err = tx.AddInbox(*msg)
		fresh = err == nil
		return err
	})
	return fresh, err
}

// verifyLabel reports whether addr's identity record is signed by spk
// (message-path.md §4.5).
func (c *Client) verifyLabel(ctx context.Context, addr string, spk []byte) bool {
	_, _, cands, err := c.FetchIdentity(ctx, addr)
	if err != nil {
		return false
	}
	for _, cand := range cands {
		if bytes.Equal(cand.Record.Ed25519[:], spk) {
			return true
		}
	}
	return false
}
