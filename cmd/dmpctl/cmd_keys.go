package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"

	"github.com/spf13/cobra"
)

func newKeys(o *options) *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys",
		Short: "List, add and revoke TSIG keys",
		RunE:  missingCommand,
	}
	keys.AddCommand(newKeysList(o), newKeysAdd(o), newKeysRevoke(o))
	return keys
}

// missingCommand answers a command that needs a subcommand and got none
// or an unknown one: a usage error (cobra reports unknown subcommands
// only at the root, and would print help and exit 0 here).
func missingCommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q; see '%s --help'", args[0],
			cmd.CommandPath(), cmd.CommandPath())}
	}
	cmd.Usage()
	return usageError{errors.New("missing command")}
}

func newKeysList(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every key with its scope (never its secret)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.client()
			if err != nil {
				return err
			}
			ks, err := c.List(cmd.Context())
			if err != nil {
				return requestError(err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), ks)
			}
			return printKeys(cmd.OutOrStdout(), ks)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printKeys(w io.Writer, ks []admin.KeyInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tALGORITHM\tSUBJECT\tEXPIRES\tSCOPE")
	for _, k := range ks {
		exp := "never"
		if !k.Expires.IsZero() {
			exp = k.Expires.UTC().Format(time.RFC3339)
		}
		subject := k.Subject
		if subject == "" {
			subject = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Name, strings.TrimSuffix(k.Algorithm, "."),
			subject, exp, strings.Join(k.Scope, ","))
	}
	return tw.Flush()
}

func newKeysAdd(o *options) *cobra.Command {
	var nk admin.NewKey
	var ttl time.Duration
	var asJSON, force, replace bool
	cmd := &cobra.Command{
		Use:   "add NAME --scope PATTERN [--scope PATTERN...]",
		Short: "Add a key allowed to write the owner names its scope covers",
		Long: "Add a TSIG key called NAME, a domain name whose labels hold letters,\n" +
			"digits, '-' and '_'. A scope pattern is a domain name: a literal pattern covers\n" +
			"the name and everything below it; '*' inside a label matches any run of\n" +
			"characters, and wildcard patterns may add but never delete. The secret\n" +
			"is generated unless --secret gives one, and printed once.\n\n" +
			"A scope that covers the apex of a zone the node serves (the apex, a\n" +
			"parent of it, '*') or every name below it ('*.' + the zone) lets the key\n" +
			"write and delete everyone's records there. The node refuses it unless\n" +
			"--force is given, and dmpctl then prints its warning on stderr.\n\n" +
			"A NAME that already has a key is refused: replacing it cuts off every\n" +
			"client holding the old secret. --replace replaces it (new secret, scope\n" +
			"and lifetime) and says so on stderr.",
		Example: "  $ dmpctl keys add relay.mesh.example. --scope 'slot-*.mb-*.mesh.example'\n" +
			"  $ dmpctl keys add ops.mesh.example. --scope mesh.example --force\n" +
			"  $ dmpctl keys add relay.mesh.example. --scope 'slot-*.mb-*.mesh.example' " +
			"--replace",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTTL(cmd, ttl); err != nil {
				return err
			}
			nk.Name, nk.TTL, nk.Force, nk.Replace = args[0], int64(ttl/time.Second), force,
				replace
			if err := nk.Check(); err != nil {
				return usageError{err}
			}
			c, err := o.client()
			if err != nil {
				return err
			}
			k, err := c.Add(cmd.Context(), nk)
			if err != nil {
				return addError(err)
			}
			for _, w := range k.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "dmpctl: warning: %s: this key can "+
					"overwrite and delete everyone's records\n", w)
			}
			if k.Replaced {
				fmt.Fprintf(cmd.ErrOrStderr(), "dmpctl: replaced the key %s; its old "+
					"secret no longer verifies\n", k.Name)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), k)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "key %s %s\nsecret %s\n",
				strings.TrimSuffix(k.Algorithm, "."), k.Name, k.Secret)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&nk.Scope, "scope", nil, "owner-name pattern (repeatable)")
	cmd.Flags().StringVar(&nk.Algorithm, "algorithm", "hmac-sha256",
		"hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224 or hmac-sha1")
	cmd.Flags().StringVar(&nk.Secret, "secret", "", "base64 secret (default: 32 random bytes)")
	cmd.Flags().DurationVar(&ttl, "ttl", 0,
		"key lifetime, whole seconds of at least 1s, e.g. 2160h (default: never expires)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&force, "force", false, "accept a scope that covers a whole zone")
	cmd.Flags().BoolVar(&replace, "replace", false, "replace the key if NAME already has one")
	cmd.MarkFlagRequired("scope")
	return cmd
}

// checkTTL refuses a --ttl that is given but not a positive whole number
// of seconds: the node counts in seconds, so a negative or sub-second one
// would reach it as 0, a key that never expires. Without --ttl the key
// never expires, as the help says.
func checkTTL(cmd *cobra.Command, ttl time.Duration) error {
	if !cmd.Flags().Changed("ttl") {
		return nil
	}
	if ttl < time.Second || ttl%time.Second != 0 {
		return usageError{fmt.Errorf("--ttl %s: want a whole number of seconds, at least "+
			"1s; leave --ttl out for a key that never expires", ttl)}
	}
	return nil
}

// addError maps the node's refusals that a flag would accept to usage
// errors naming the flag: a zone-wide scope (--force) and a name that has
// a key (--replace, which the node's text names). Other failures are as
// requestError says.
func addError(err error) error {
	var se *admin.StatusError
	switch {
	case !errors.As(err, &se) || se.Status != http.StatusConflict:
		return requestError(err)
	case se.Code == admin.CodeKeyExists:
		return usageError{errors.New(se.Reason)}
	}
	return usageError{fmt.Errorf("%s; pass --force if that is meant", se.Reason)}
}

// requestError marks a failed request: an HTTP 400 is the node finding
// the command line's arguments wrong (one dmpctl could not check itself,
// as from an older or newer node), a usage error; anything else, from an
// unreachable endpoint to a refused token or an unknown key, a node error.
func requestError(err error) error {
	var se *admin.StatusError
	if errors.As(err, &se) && se.Status == http.StatusBadRequest {
		return usageError{err}
	}
	return nodeError{err}
}

func newKeysRevoke(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a key; UPDATEs signed with it are refused at once",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := o.client()
			if err != nil {
				return err
			}
			if err := c.Revoke(cmd.Context(), args[0]); err != nil {
				return requestError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s\n", args[0])
			return nil
		},
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) != 0 {
		return usageError{errors.New("this command takes no arguments")}
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("want %d argument(s), got %d", n, len(args))}
		}
		return nil
	}
}
