package main

import (
	"context"
	"errors"
	"os/signal"
	"syscall"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/message"

	"github.com/spf13/cobra"
)

func newRecvCommand(a *app) *cobra.Command {
	var watch, asJSON bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "recv",
		Short: "Fetch, decrypt and print new messages",
		Long: `recv reads the notification claims in your zone, then walks your mailbox
slots in your zone and your contacts' zones, and prints each new message
once. A message is saved in the inbox before it is printed ('dnsmesh inbox'
shows them again; a message saved by a recv that was killed before it could
print it is there too). Messages from senders you have not pinned go to the
intro queue ('dnsmesh intro list'). recv also tops the prekey pool up
when it runs low; without a TSIG key ('dnsmesh tsig register') it makes
no prekeys, which it could not publish, and warns once.

A message that is addressed to you but cannot be opened (its one-time
prekey's secret is unknown or already erased, or decryption fails) is
reported on stderr with its sender and the reason, once per poll.

Forward secrecy: when a message opens with a one-time prekey, the prekey
is marked used and its DNS record deleted, but its secret is kept for a
grace window, because another sender may have sealed a message to the
same prekey before the delete took effect. The secret is erased by the
first recv after the window ends: 7 days (the longest 'send --ttl') plus
15 minutes after the node confirmed the delete. Until then, anyone who
copies your state.db can read messages sealed to that prekey; messages
sealed to other prekeys are not affected.

--watch polls every --interval until interrupted (Ctrl-C or SIGTERM);
an --interval under 1s is refused (exit 3), as it would hammer the node. A
poll that fails, such as while the node restarts, is reported on stderr
and the watch goes on; only a damaged state file ends it.

` + messageTextHelp + `

With --json each message is one line, as 'dnsmesh inbox --json' prints it
(JSON lines); a poll that finds nothing prints nothing.`,
		Example: `  $ dnsmesh recv
  $ dnsmesh recv --watch --interval 1m
  $ dnsmesh recv --json >> messages.jsonl`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(cmd *cobra.Command, _ []string) error {
			return a.runRecv(cmd, watch, interval, asJSON)
		}),
	}
	cmd.Flags().BoolVar(&watch, "watch", false, "keep polling until interrupted")
	cmd.Flags().DurationVar(&interval, "interval", 30*time.Second, "poll interval with --watch")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per message")
	return cmd
}

// minInterval is the shortest --interval: a shorter one busy-polls the
// node, costing it a full slot walk many times a second.
const minInterval = time.Second

func (a *app) runRecv(cmd *cobra.Command, watch bool, interval time.Duration, asJSON bool) error {
	if interval < minInterval {
		return usagef("--interval %s is under %s: polling faster hammers the node",
			interval, minInterval)
	}
	c, err := a.open(true)
	if err != nil {
		return err
	}
	// Each message is printed as soon as it is stored, so an interrupted
	// recv has shown everything it saved except at most the one in hand.
	var printErr error
	c.OnInbox = func(m state.Message) {
		if err := printMessages(a.stdout, []state.Message{m}, asJSON); err != nil {
			printErr = err
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	for {
		err := a.recvOnce(ctx, c)
		if ctx.Err() != nil {
			return nil // interrupted: what was delivered is stored and printed
		}
		if printErr != nil {
			return printErr
		}
		if err != nil && (!watch || errors.Is(err, state.ErrDamaged)) {
			return err
		}
		if !watch {
			return nil
		}
		if err != nil {
			// A node restart or a network outage must not end a watch:
			// the next poll reads everything still published.
			a.warn("poll failed: %v; polling again in %s", err, interval)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// recvOnce polls once and reports on stderr what the poll found besides
// the messages, which OnInbox prints.
func (a *app) recvOnce(ctx context.Context, c *client.Client) error {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	res, err := c.Receive(pctx)
	if err != nil || res == nil {
		return err
	}
	a.recvUnopened(res.Unopened)
	a.recvDeleteErrors(res.DeleteErrors)
	a.noteSwept(res.Swept)
	a.recvNotes(len(res.Intros), res.NewPrekeys, res.QueryErrors)
	if res.NoTopUp != nil && !a.noTopUpWarned {
		a.noTopUpWarned = true // once per run, not once per --watch poll
		a.warn("the prekey pool is low, but no TSIG key is registered to publish new " +
			"prekeys; run 'dnsmesh tsig register'")
	}
	return nil
}

// recvNotes reports intros, prekey top-ups and failed reads on stderr.
func (a *app) recvNotes(intros, prekeys int, errs []error) {
	if intros > 0 {
		a.note("%d new message(s) from unpinned senders; see 'dnsmesh intro list'", intros)
	}
	if prekeys > 0 {
		a.note("published %d new prekeys", prekeys)
	}
	switch len(errs) {
	case 0:
	case 1:
		a.warn("%s", errs[0])
	default:
		a.warn("%s (and %d more failed reads)", errs[0], len(errs)-1)
	}
}

// recvUnopened warns about each message found but not opened (DECISIONS
// C7), naming the sender and the reason.
func (a *app) recvUnopened(us []client.Unopened) {
	for _, u := range us {
		from := u.Contact
		if from == "" {
			from = "unpinned sender intro-" + shortHex(u.SenderSPK, 12)
		}
		why := u.Err.Error()
		switch {
		case errors.Is(u.Err, message.ErrPrekeyUnavailable):
			why = "its one-time prekey's secret is not held (unknown, or erased after " +
				"its grace window): " + why
		case errors.Is(u.Err, message.ErrDecrypt):
			why = "decryption failed: " + why
		}
		a.warn("a message from %s (id %s) could not be opened: %s", from,
			shortHex(u.MsgID, 16), why)
	}
}

// recvDeleteErrors warns about each used prekey whose DNS record could not
// be deleted: it stays published, so senders may still seal to it, and
// the delete is retried by the next recv.
func (a *app) recvDeleteErrors(errs []error) {
	for _, err := range errs {
		a.warn("%s; the used prekey stays published until a later recv deletes it "+
			"(each recv retries)", err)
	}
}
