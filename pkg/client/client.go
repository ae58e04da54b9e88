// Package client is the dnsmesh client: identity publishing and lookup,
// contacts, one-time prekeys, sending, receiving (claims first, then the
// mailbox slot walk) and the intro queue for first-contact messages
// (message-path.md §10–15; DECISIONS C3–C13).
//
// A Client talks to DNS through a TXTReader and a Writer and keeps its
// local state in a state.DB that it opens per operation and never holds
// across a network wait (DECISIONS C13). It never logs; conditions a user
// should hear about come back in result values.
package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/keys"
)

// Defaults of the user-facing knobs.
const (
	// DefaultMessageTTL is the lifetime of a sent message (DECISIONS C11):
	// a recipient polling once a day still finds it, and it stays under
	// the 24-hour caps of reference nodes.
	DefaultMessageTTL = 23 * time.Hour
	// MaxMessageTTL is the longest lifetime send accepts. Prekey secrets
	// are kept this long past their prekey's expiry, so a message sealed
	// to a prekey just before it expired still opens.
	MaxMessageTTL = 7 * 24 * time.Hour
	// DefaultPrekeyCount and DefaultPrekeyTTL size a prekey refresh.
	DefaultPrekeyCount = 25
	DefaultPrekeyTTL   = 24 * time.Hour
	// PrekeyLowWater is the count of live prekeys below which receiving
	// tops the pool up.
	PrekeyLowWater = 10
	// DefaultIdentityTTL is the DNS TTL of a published identity record.
	DefaultIdentityTTL = 24 * time.Hour
)

// ErrWrongPassphrase is returned when a passphrase derives keys other than
// the ones stored at init.
var ErrWrongPassphrase = errors.New(
	"client: wrong passphrase: it does not derive this identity's key")

// ErrUnknownContact is returned for a name that is not a contact.
var ErrUnknownContact = errors.New("client: unknown contact")

// ErrNoWriter is returned for a write when no TSIG key is registered.
var ErrNoWriter = errors.New("client: no TSIG key registered for writes")

// TXTReader reads the TXT values at a name; pkg/dnsio.Reader is one.
type TXTReader interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Writer applies DNS changes; pkg/dnsio.Updater is one.
type Writer interface {
	Apply(ctx context.Context, changes ...dnsio.Change) error
}

// Client is one user's dnsmesh client.
type Client struct {
	Cfg    *config.Config
	ID     *keys.Identity // nil for commands that need no secret key
	State  *state.DB
	Reader TXTReader
	Writer Writer // nil until a TSIG key is registered

	// ClaimWriter returns the writer for an anonymous claim UPDATE to a
	// zone other than the own one: the zone's primary server, found
	// through the resolvers as RFC 2136 §4 says (see dnsio.Reader.Primary).
	// Nil, or an error, means the claim is skipped and reported.
	ClaimWriter func(ctx context.Context, zone string) (Writer, error)

	// AllowNoPrekey lets Send seal to the long-term key when the
	// recipient's prekey pool cannot be read. Without it such a send fails
	// with ErrPrekeyPoolUnread rather than lose forward secrecy in silence
	// (a pool read and found empty is sent without a prekey either way).
	AllowNoPrekey bool

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// OnInbox, when set, is called with each message Receive delivers to
	// the inbox, right after the transaction that stores it commits, so a
	// caller can show it at once rather than after the whole poll.
	OnInbox func(state.Message)

	// Checkpoint, when set, is called at the named steps of receiving
	// (the Checkpoint* constants). Crash tests use it to stop the process
	// at an exact point; it has no other use.
	Checkpoint func(point string)
}

// Named steps of receiving one message, in order, passed to Checkpoint.
const (
	CheckpointOpened    = "opened"    // AEAD open succeeded; nothing stored yet
	CheckpointCommitted = "committed" // message, replay entry, prekey consumption stored
	CheckpointShown     = "shown"     // OnInbox returned
	// CheckpointDNSDelete follows the deletion of a consumed prekey's
	// record from DNS, before its removal from the deletion queue.
	CheckpointDNSDelete = "dnsdelete"
)

func (c *Client) checkpoint(point string) {
	if c.Checkpoint != nil {
		c.Checkpoint(point)
	}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Zone returns the own mailbox zone without trailing dots.
func (c *Client) Zone() string { return strings.TrimRight(c.Cfg.Domain, ".") }

// write applies changes through the TSIG writer.
func (c *Client) write(ctx context.Context, changes ...dnsio.Change) error {
	if c.Writer == nil {
		return ErrNoWriter
	}
	return c.Writer.Apply(ctx, changes...)
}

// lookup reads name and treats a failed query as an empty answer
// (message-path.md §15.1 GO note), returning the error for reporting.
func (c *Client) lookup(ctx context.Context, name string) ([]string, error) {
	vals, err := c.Reader.LookupTXT(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return vals, nil
}

// needID fails when the client was built without the secret keys.
func (c *Client) needID() error {
	if c.ID == nil {
		return errors.New("client: internal error: operation needs the identity")
	}
	return nil
}
