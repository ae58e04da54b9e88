package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/keys"

	"github.com/spf13/cobra"
)

func newIdentityCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity",
		Short: "Show, publish and fetch identity records; refresh prekeys",
	}
	cmd.AddCommand(newIdentityShowCommand(a), newIdentityPublishCommand(a),
		newIdentityFetchCommand(a), newRefreshPrekeysCommand(a))
	return cmd
}

// identityView is what `identity show` prints.
type identityView struct {
	Address     string `json:"address"`
	Domain      string `json:"domain"`
	Fingerprint string `json:"fingerprint"`
	X25519      string `json:"x25519_public"`
	Ed25519     string `json:"ed25519_public"`
	UserID      string `json:"user_id"`
	Mailbox     string `json:"mailbox_hash"`
	Salt        string `json:"kdf_salt"`
}

func newIdentityShowCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the address, fingerprint, public keys and KDF salt",
		Long: `show prints this identity's public facts from config.yaml; it needs no
passphrase. Back up the salt with the passphrase: both restore the identity.

With --json it prints one object with the fields address, domain,
fingerprint, x25519_public, ed25519_public, user_id, mailbox_hash and
kdf_salt (keys and hashes in hex).`,
		Example: `  $ dnsmesh identity show
  $ dnsmesh identity show --json | jq -r .kdf_salt`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(*cobra.Command, []string) error {
			_, cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			x, errX := hex.DecodeString(cfg.VerifyPubkey)
			e, errE := hex.DecodeString(cfg.SigningPubkey)
			if errX != nil || errE != nil {
				return fmt.Errorf("config: stored public keys are not hex")
			}
			uid := keys.UserID(x)
			v := identityView{Address: cfg.Address(), Domain: cfg.Domain,
				Fingerprint: keys.Fingerprint(x, e), X25519: cfg.VerifyPubkey,
				Ed25519: cfg.SigningPubkey, UserID: hex.EncodeToString(uid[:]),
				Mailbox: keys.MailboxHash(uid[:]), Salt: cfg.KDFSalt}
			if asJSON {
				return a.printJSON(v)
			}
			fmt.Fprintf(a.stdout, "address:      %s\ndomain:       %s\nfingerprint:  %s\n"+
				"x25519:       %s\ned25519:      %s\nuser_id:      %s\nmailbox:      %s\n"+
				"salt:         %s\n", v.Address, v.Domain, v.Fingerprint, v.X25519, v.Ed25519,
				v.UserID, v.Mailbox, v.Salt)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newRefreshPrekeysCommand(a *app) *cobra.Command {
	var count int
	var ttl time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "refresh-prekeys",
		Short: "Publish a batch of one-time prekeys for forward secrecy",
		Long: `refresh-prekeys makes one-time X25519 prekeys, stores their secrets in
state.db and publishes the signed public halves. A sender seals each message
to one of them. When a message opens, recv marks its prekey used and
deletes the DNS record, but keeps the secret for a grace window, because
another sender may have sealed to the same prekey before the delete took
effect; the secret is erased once the window ends (see 'dnsmesh recv
--help'), and from then on a copy of state.db cannot open the message.
'recv' tops the pool up when it runs low. Both first delete from DNS the
prekeys signed by this identity whose secret is not in state.db (as after
'init --restore'), which no message sealed to could open.

With --json it prints the new prekey ids and the live count after:
  {"published": [3735928559, 17], "live": 25}`,
		Example: `  $ dnsmesh identity refresh-prekeys
  $ dnsmesh identity refresh-prekeys --count 50 --ttl 48h`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(cmd *cobra.Command, _ []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *client.Client) error {
				r, err := c.RefreshPrekeys(ctx, count, ttl)
				a.noteSwept(r.Swept)
				if err != nil {
					return err
				}
				live, _, _ := c.PrekeyStatus()
				return a.printRefreshed(r.IDs, live, asJSON)
			})
		}),
	}
	cmd.Flags().IntVar(&count, "count", client.DefaultPrekeyCount, "number of prekeys")
	cmd.Flags().DurationVar(&ttl, "ttl", client.DefaultPrekeyTTL, "lifetime of each prekey")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// withClient opens the client with its keys and runs fn under the usual
// command timeout.
func (a *app) withClient(cmd *cobra.Command,
	fn func(ctx context.Context, c *client.Client) error) error {
	c, err := a.open(true)
	if err != nil {
		return err
	}
	ctx, cancel := a.ctx(cmd)
	defer cancel()
	return fn(ctx, c)
}

// printRefreshed reports the prekeys refresh-prekeys published.
func (a *app) printRefreshed(ids []uint32, live int, asJSON bool) error {
	if asJSON {
		return a.printJSON(struct {
			Published []uint32 `json:"published"`
			Live      int      `json:"live"`
		}{ids, live})
	}
	fmt.Fprintf(a.stdout, "published %d prekeys (%d live)\n", len(ids), live)
	return nil
}

// shortHex returns the first n hex digits of b.
func shortHex(b []byte, n int) string {
	s := hex.EncodeToString(b)
	if len(s) > n {
		return s[:n]
	}
	return strings.Clone(s)
}
