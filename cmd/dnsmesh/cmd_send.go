package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/message"

	"github.com/spf13/cobra"
)

// maxStdinMessage caps a message read from stdin, in bytes: no message
// this size fits, since the whole sealed message is at most
// erasure.MaxPayload (25 084) bytes.
const maxStdinMessage = 64 << 10

// nodeTTLCap is the record lifetime cap common to nodes: the reference's
// DMP_MAX_TTL default and coredns-dmp's max_ttl default. A node keeps a
// record no longer than its cap, whatever lifetime the UPDATE asks for.
const nodeTTLCap = 24 * time.Hour

func newSendCommand(a *app) *cobra.Command {
	var ttl time.Duration
	var asJSON, allowNoPrekey bool
	cmd := &cobra.Command{
		Use:   "send <contact> [message | -]",
		Short: "Send an encrypted message to a contact",
		Long: `send seals the message to the contact's one-time prekey when one is
published (forward secrecy), else to its long-term key with a warning,
publishes the chunks and manifest in your zone and a notification claim in
the contact's zone. Without a message, or with "-", it reads stdin. An
empty message, or one over the protocol's limit (about 24 kB; the error
names the exact figure, which depends only on the header), is refused
before anything is published, as a usage error (exit 3).

The claim for a contact in another zone goes, as an anonymous UPDATE, to
that zone's primary server, found through the resolvers (SOA MNAME, else
the NS targets) on port 53, or update_port in config.yaml; when that
lookup fails and --dns-server is set, to that node. A claim that cannot be
placed never fails the send: the recipient's slot walk still finds the
message once the sender is pinned.

When the contact's prekey pool cannot be read (the node or resolver does
not answer), send fails rather than quietly give up forward secrecy; retry
later, or pass --allow-no-prekey to seal to the long-term key (with the
warning). A pool that was read and holds no usable prekey only warns.

--ttl is how long the message stays fetchable, whole seconds from 1s to
168h (anything else is a usage error, exit 3); the default 23h suits a
recipient who polls once a day. Nodes commonly keep records at most 24h
(max_ttl), so a longer --ttl warns: the message may expire sooner.`,
		Example: `  $ dnsmesh send bob@mesh.example "lunch at noon?"
  $ dnsmesh send bob@mesh.example - < note.txt`,
		Args: needArgs(1, 2),
		RunE: a.wrap(func(cmd *cobra.Command, args []string) error {
			return a.runSend(cmd, args, ttl, asJSON, allowNoPrekey)
		}),
	}
	cmd.Flags().DurationVar(&ttl, "ttl", client.DefaultMessageTTL,
		"message lifetime, at most 168h")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&allowNoPrekey, "allow-no-prekey", false,
		"send without forward secrecy when the contact's prekey pool cannot be read")
	return cmd
}

func (a *app) runSend(cmd *cobra.Command, args []string, ttl time.Duration, asJSON,
	allowNoPrekey bool) error {
	if err := checkTTL(ttl); err != nil {
		return err
	}
	body, err := a.messageBody(args)
	tooLarge := errors.Is(err, errStdinTooLarge)
	if err != nil && !tooLarge {
		return err
	}
	c, err := a.open(true)
	if err != nil {
		return err
	}
	c.AllowNoPrekey = allowNoPrekey
	ctx, cancel := a.ctx(cmd)
	defer cancel()
	if tooLarge {
		return stdinTooLarge(ctx, c, args[0], ttl)
	}

	if ttl > nodeTTLCap {
		a.warn("--ttl %s is over %s: nodes commonly cap stored lifetimes at %s (max_ttl), "+
			"so the message may expire sooner", ttl, nodeTTLCap, nodeTTLCap)
	}
	res, err := c.Send(ctx, args[0], body, ttl)
	if errors.Is(err, client.ErrNoX25519) {
		return withHint(err, noX25519Hint(args[0]))
	}
	if err != nil {
		return err
	}
	if res.PrekeyID == 0 {
		a.warn("no prekey of %s was available: this message is not forward-secret", res.To)
	}
	if asJSON {
		return a.printJSON(res)
	}
	fmt.Fprintf(a.stdout, "sent %s to %s (%d chunks, prekey %d, claim %s)\n", res.MsgID[:16],
		res.To, res.Chunks, res.PrekeyID, res.Claim)
	return nil
}

// checkTTL refuses a --ttl send cannot use as a usage error, before
// anything else runs: a warning about node caps, a passphrase prompt or a
// network read for a value that fails anyway would only mislead.
func checkTTL(ttl time.Duration) error {
	if ttl < time.Second || ttl > client.MaxMessageTTL {
		return usagef("--ttl %s is outside 1s..%s", ttl, client.MaxMessageTTL)
	}
	if ttl%time.Second != 0 {
		return usagef("--ttl %s is not a whole number of seconds", ttl)
	}
	return nil
}

// noX25519Hint tells how to get the encryption key of a contact pinned by
// signing key only ('intro trust'): fetching its identity record pins the
// key onto the same contact.
func noX25519Hint(to string) string {
	addr := "<their user@host>"
	if strings.Contains(to, "@") {
		addr = to
	}
	return fmt.Sprintf("run 'dnsmesh identity fetch %s --add' to get their encryption key",
		addr)
}

// errStdinTooLarge says stdin holds more than maxStdinMessage bytes.
var errStdinTooLarge = errors.New("stdin holds too much to read")

// stdinTooLarge returns the error for a message on stdin too large to
// read whole, naming the exact limit for this contact and ttl, the same
// figure Send names for a body it holds.
func stdinTooLarge(ctx context.Context, c *client.Client, to string,
	ttl time.Duration) error {
	limit, err := c.MaxBody(ctx, to, ttl)
	if err != nil {
		return err
	}
	return message.TooLarge(fmt.Sprintf("stdin holds over %d bytes", maxStdinMessage), limit)
}

// messageBody returns the message argument, or stdin for "-" or none.
func (a *app) messageBody(args []string) ([]byte, error) {
	if len(args) == 2 && args[1] != "-" {
		if args[1] == "" {
			return nil, usagef("empty message: nothing to send")
		}
		return []byte(args[1]), nil
	}
	b, err := io.ReadAll(io.LimitReader(a.stdin, maxStdinMessage+1))
	if err != nil {
		return nil, fmt.Errorf("read message from stdin: %w", err)
	}
	if len(b) > maxStdinMessage {
		return nil, errStdinTooLarge
	}
	if len(b) == 0 {
		return nil, usagef("empty message on stdin: nothing to send")
	}
	return b, nil
}
