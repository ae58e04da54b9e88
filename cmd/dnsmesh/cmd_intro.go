package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"

	"github.com/spf13/cobra"
)

func newIntroCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "intro",
		Short: "Review first-contact messages from senders you have not pinned",
		Long: `Messages from senders you have not pinned wait in the intro queue.
'accept' moves one to the inbox, 'trust' also pins its sender by signing
key, 'block' drops it and ignores its sender from then on.`,
	}
	cmd.AddCommand(newIntroListCommand(a),
		a.introAction("accept <id>", "Move the message to the inbox",
			"accept moves intro <id> to the inbox without pinning its sender.",
			(*client.Client).AcceptIntro),
		newIntroTrustCommand(a),
		a.introAction("block <id>", "Drop the message and block its sender",
			"block drops intro <id> and ignores its sender's signing key from then on.",
			(*client.Client).BlockIntro))
	return cmd
}

func newIntroListCommand(a *app) *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List queued intros",
		Long: `list prints the queued first-contact messages with their ids, for
'intro accept', 'intro trust' and 'intro block'. A sender whose message
carried a verified address (DMPv2) shows by that address, else as
intro-<signing key prefix>. Each message follows a line with the
sender's whole Ed25519 signing key, the key 'intro trust' pins: compare
it with the ed25519 line of the sender's 'dnsmesh identity show' over
another channel before trusting.

Messages print as 'dnsmesh inbox --help' describes, control characters
escaped. With --json it prints one object per line (JSON lines), as
'dnsmesh inbox --json' does plus "ed25519_public" (64 hex);
an empty queue prints nothing.`,
		Example: `  $ dnsmesh intro list
  $ dnsmesh intro list --json | jq -r '"\(.id) \(.from)"'`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(*cobra.Command, []string) error {
			c, err := a.open(false)
			if err != nil {
				return err
			}
			ms, err := c.Intros()
			if err != nil {
				return err
			}
			return printIntros(a.stdout, ms, asJSON)
		}),
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per message")
	return list
}

// introView is an intro as intro list --json prints it: the message and
// its sender's signing key.
type introView struct {
	messageView
	Ed25519 string `json:"ed25519_public"`
}

// printIntros writes the queued intros as printMessages does, with each
// sender's signing key: as "ed25519_public" in JSON, else on a line of
// its own before the message.
func printIntros(w io.Writer, ms []state.Message, asJSON bool) error {
	for _, m := range ms {
		key := hex.EncodeToString(m.SenderSPK)
		if asJSON {
			b, err := json.Marshal(introView{messageView: viewOf(m), Ed25519: key})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\n", b)
			continue
		}
		fmt.Fprintf(w, "intro %d is signed by ed25519 key %s\n", m.ID, key)
		if err := printMessages(w, []state.Message{m}, false); err != nil {
			return err
		}
	}
	return nil
}

func newIntroTrustCommand(a *app) *cobra.Command {
	var name string
	trust := a.introAction("trust <id>", "Pin the sender by signing key and accept the message",
		"trust pins the sender of intro <id> by its signing key, under --name or the\n"+
			"verified address, and moves the message to the inbox. A name already\n"+
			"pinned to another key is refused; the intro then stays queued.",
		func(c *client.Client, id uint64) (state.Message, error) { return c.TrustIntro(id, name) })
	trust.Flags().StringVar(&name, "name", "", "contact name (default: the verified address)")
	return trust
}

// introActionView is what an intro action prints with --json.
type introActionView struct {
	Action   string `json:"action"`
	ID       uint64 `json:"id"`
	From     string `json:"from"`
	Verified bool   `json:"verified"`
	MsgID    string `json:"msg_id"`
}

// introActionLong is the Long help of each intro action, after its own
// first paragraph.
const introActionLong = `

With --json it prints one object (from is the pinned contact or the
verified address, else intro-<key prefix>):
  {"action": "accept", "id": 3, "from": "carol@mesh.example",
   "verified": true, "msg_id": "<32 hex>"}`

// introAction builds an intro subcommand acting on one id.
func (a *app) introAction(use, short, long string,
	act func(*client.Client, uint64) (state.Message, error)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long + introActionLong,
		Example: "  $ dnsmesh intro list\n  $ dnsmesh intro " +
			strings.Replace(use, "<id>", "3", 1),
		Args: needArgs(1, 1),
	}
	cmd.RunE = a.wrap(func(cmd *cobra.Command, args []string) error {
		id, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil {
			return usagef("intro id %q is not a number", args[0])
		}
		c, err := a.open(false)
		if err != nil {
			return err
		}
		m, err := act(c, id)
		if errors.Is(err, client.ErrContactExists) {
			return withHint(err, "the intro stays queued; choose another --name, or remove "+
				"the contact first with 'dnsmesh contacts remove <name>'")
		}
		if err != nil {
			return withHint(err, "list the queue with 'dnsmesh intro list'")
		}
		v := viewOf(m)
		if asJSON {
			return a.printJSON(introActionView{Action: cmd.Name(), ID: id, From: v.From,
				Verified: v.Verified, MsgID: v.MsgID})
		}
		fmt.Fprintf(a.stdout, "%s: intro %d from %s\n", cmd.Name(), id,
			terminalSafe(v.From, false))
		return nil
	})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
