package client

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dnsmesh/dmp/internal/state"
)

// ErrUnknownIntro is returned for an intro id that is not queued.
var ErrUnknownIntro = errors.New("client: no such intro")

// ErrContactExists is returned by TrustIntro when the contact name is
// taken by a contact with another signing key.
var ErrContactExists = errors.New("client: contact name already taken")

// Intros returns the queued first-contact messages.
func (c *Client) Intros() ([]state.Message, error) {
	var ms []state.Message
	err := c.State.View(func(tx *state.Tx) error {
		var err error
		ms, err = tx.Intros()
		return err
	})
	return ms, err
}

// Inbox returns the delivered messages.
func (c *Client) Inbox() ([]state.Message, error) {
	var ms []state.Message
	err := c.State.View(func(tx *state.Tx) error {
		var err error
		ms, err = tx.Inbox()
		return err
	})
	return ms, err
}

// AcceptIntro moves intro id to the inbox without pinning its sender.
func (c *Client) AcceptIntro(id uint64) (state.Message, error) {
	return c.takeIntro(id, func(tx *state.Tx, m *state.Message) error {
		var err error
		m.ID, err = tx.AddInbox(*m)
		return err
	})
}

// TrustIntro pins the sender of intro id by its signing key as contact
// name (its encryption key comes with a later `identity fetch --add`),
// then moves the message to the inbox (message-path.md §12.5). A name
// taken by another key fails with ErrContactExists and leaves the intro
// queued.
func (c *Client) TrustIntro(id uint64, name string) (state.Message, error) {
	return c.takeIntro(id, func(tx *state.Tx, m *state.Message) error {
		if name == "" {
			name = m.Label
		}
		if name == "" {
			name = "intro-" + fmt.Sprintf("%x", m.SenderSPK)[:12]
		}
		if err := pinIntroSender(tx, name, m, c.now().Unix()); err != nil {
			return err
		}
		m.Contact = name
		var err error
		m.ID, err = tx.AddInbox(*m)
		return err
	})
}

// pinIntroSender pins m's sender by signing key as contact name. A
// contact already pinned under name to the same key is kept as it is,
// encryption key included; one pinned to another key is never replaced:
// trusting a stranger must not take over a name the user already relies
// on.
func pinIntroSender(tx *state.Tx, name string, m *state.Message, now int64) error {
	old, err := tx.Contact(name)
	switch {
	case err == nil && bytes.Equal(old.Ed25519, m.SenderSPK):
		return nil
	case err == nil:
		return fmt.Errorf("%w: %q is pinned to another key", ErrContactExists, name)
	case !errors.Is(err, state.ErrNotFound):
		return err
	}
	return tx.PutContact(state.Contact{Name: name, Domain: m.Domain, Ed25519: m.SenderSPK,
		Added: now})
}

// BlockIntro drops intro id and puts its sender on the deny list.
func (c *Client) BlockIntro(id uint64) (state.Message, error) {
	return c.takeIntro(id, func(tx *state.Tx, m *state.Message) error {
		return tx.Block(m.SenderSPK, c.now().Unix())
	})
}

// takeIntro removes intro id and runs then on it, in one transaction.
func (c *Client) takeIntro(id uint64,
	then func(*state.Tx, *state.Message) error) (state.Message, error) {
	var m state.Message
	err := c.State.Update(func(tx *state.Tx) error {
		var err error
		m, err = tx.Intro(id)
		if errors.Is(err, state.ErrNotFound) {
			return fmt.Errorf("%w: %d", ErrUnknownIntro, id)
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteIntro(id); err != nil {
			return err
		}
		return then(tx, &m)
	})
	return m, err
}
