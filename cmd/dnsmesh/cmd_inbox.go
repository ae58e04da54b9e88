package main

import (
	"github.com/spf13/cobra"
)

func newInboxCommand(a *app) *cobra.Command {
	var asJSON bool
	var last int
	cmd := &cobra.Command{
		Use:   "inbox",
		Short: "Print delivered messages again",
		Long: `inbox prints the messages recv delivered, oldest first. It reads local
state only, so it needs neither the passphrase nor the node.

` + messageTextHelp + `

With --json it prints one object per line: {"id", "from", "verified",
"msg_id", "sent", "received", "prekey_id", "body"}; prekey_id 0 means the
message was not forward-secret. JSON holds only UTF-8 text: a body with
bytes that are not UTF-8 has U+FFFD in their place in "body", and the
object then also carries "body_base64", the exact bytes in base64. These
are JSON lines, not an array: an empty inbox prints nothing.`,
		Example: `  $ dnsmesh inbox --last 5
  $ dnsmesh inbox --json | jq -r 'select(.from == "bob@mesh.example") | .body'`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(*cobra.Command, []string) error {
			c, err := a.open(false)
			if err != nil {
				return err
			}
			ms, err := c.Inbox()
			if err != nil {
				return err
			}
			if last > 0 && len(ms) > last {
				ms = ms[len(ms)-last:]
			}
			return printMessages(a.stdout, ms, asJSON)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per message")
	cmd.Flags().IntVar(&last, "last", 0, "print only the last N messages")
	return cmd
}
