package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/keys"

	"github.com/spf13/cobra"
)

// contactView is one contact as printed.
type contactView struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint,omitempty"`
	X25519      string `json:"x25519_public,omitempty"`
	Ed25519     string `json:"ed25519_public,omitempty"`
	Domain      string `json:"domain,omitempty"`
}

func newContactsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "contacts", Short: "List, add and remove pinned contacts"}
	cmd.AddCommand(newContactsListCommand(a), newContactsAddCommand(a),
		newContactsRemoveCommand(a))
	return cmd
}

func newContactsListCommand(a *app) *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the pinned contacts",
		Long: `list prints each pinned contact with its fingerprint, the one to compare
with the contact's 'dnsmesh identity show' over another channel.

With --json it prints an array of the objects 'contacts add --json' prints.`,
		Example: `  $ dnsmesh contacts list
  $ dnsmesh contacts list --json | jq -r '.[].name'`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(*cobra.Command, []string) error { return a.runContactsList(asJSON) }),
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return list
}

func newContactsAddCommand(a *app) *cobra.Command {
	var signing, domain string
	var addJSON bool
	addCmd := &cobra.Command{
		Use:   "add <user@host> <x25519-hex>",
		Short: "Pin a contact from keys received out of band",
		Long: `add pins a contact by its X25519 key and, with --signing-key, its Ed25519
key. Without a signing key its messages cannot be told apart from anyone
else's; prefer 'dnsmesh identity fetch user@host --add'.

With --json it prints the contact as 'contacts list --json' does:
  {"name": "dave@mesh.example", "fingerprint": "<16 hex>",
   "x25519_public": "<64 hex>", "ed25519_public": "<64 hex>",
   "domain": "mesh.example"}
fingerprint and ed25519_public are left out without --signing-key.`,
		Example: `  $ dnsmesh contacts add dave@mesh.example 3b6a27bc...d4f2 \
      --signing-key d75a9801...511a
  $ dnsmesh contacts add erin@corp.example 9c1f...07aa --domain mail.corp.example`,
		Args: needArgs(2, 2),
		RunE: a.wrap(func(_ *cobra.Command, args []string) error {
			return a.runContactsAdd(args[0], args[1], signing, domain, addJSON)
		}),
	}
	addCmd.Flags().StringVar(&signing, "signing-key", "", "the contact's Ed25519 key (hex)")
	addCmd.Flags().StringVar(&domain, "domain", "",
		"the contact's zone (default: host of the name)")
	addCmd.Flags().BoolVar(&addJSON, "json", false, "print JSON")
	return addCmd
}

func newContactsRemoveCommand(a *app) *cobra.Command {
	var removeJSON bool
	remove := &cobra.Command{
		Use:   "remove <name>",
		Short: "Forget a contact",
		Long: `remove forgets a pinned contact; its messages go to the intro queue again.

With --json it prints {"removed": "<name>"}.`,
		Example: `  $ dnsmesh contacts remove dave@mesh.example`,
		Args:    needArgs(1, 1),
		RunE: a.wrap(func(_ *cobra.Command, args []string) error {
			return a.runContactsRemove(args[0], removeJSON)
		}),
	}
	remove.Flags().BoolVar(&removeJSON, "json", false, "print JSON")
	return remove
}

func (a *app) runContactsRemove(name string, asJSON bool) error {
	c, err := a.open(false)
	if err != nil {
		return err
	}
	ct, err := c.Contact(name)
	if err != nil {
		return err
	}
	err = c.State.Update(func(tx *state.Tx) error { return tx.DeleteContact(ct.Name) })
	if err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(struct {
			Removed string `json:"removed"`
		}{ct.Name})
	}
	fmt.Fprintf(a.stdout, "removed contact %s\n", terminalSafe(ct.Name, false))
	return nil
}

// viewOfContact describes ct as printed.
func viewOfContact(ct state.Contact) contactView {
	v := contactView{Name: ct.Name, X25519: hex.EncodeToString(ct.X25519),
		Ed25519: hex.EncodeToString(ct.Ed25519), Domain: ct.Domain}
	if len(ct.X25519) > 0 && len(ct.Ed25519) > 0 {
		v.Fingerprint = keys.Fingerprint(ct.X25519, ct.Ed25519)
	}
	return v
}

func (a *app) runContactsList(asJSON bool) error {
	c, err := a.open(false)
	if err != nil {
		return err
	}
	var cs []state.Contact
	if err := c.State.View(func(tx *state.Tx) error {
		cs, err = tx.Contacts()
		return err
	}); err != nil {
		return err
	}
	views := make([]contactView, 0, len(cs))
	for _, ct := range cs {
		views = append(views, viewOfContact(ct))
	}
	if asJSON {
		return a.printJSON(views)
	}
	printContacts(a.stdout, views)
	return nil
}

// printContacts writes one line per contact: its address, made terminal
// safe, and its fingerprint. The address comes from a verified record,
// but a username may be any UTF-8, control characters included; --json
// keeps it exact.
func printContacts(w io.Writer, views []contactView) {
	for _, v := range views {
		fp := v.Fingerprint
		if fp == "" {
			fp = "(signing key only)"
		}
		fmt.Fprintf(w, "%s  %s\n", terminalSafe(v.Name, false), fp)
	}
}

func (a *app) runContactsAdd(name, xHex, edHex, domain string, asJSON bool) error {
	c, err := a.open(false)
	if err != nil {
		return err
	}
	x, err := hex.DecodeString(xHex)
	if err != nil || len(x) != keys.X25519KeySize {
		return usagef("x25519 key must be 64 hex digits")
	}
	var ed []byte
	if edHex != "" {
		if ed, err = hex.DecodeString(edHex); err != nil || keys.IsLowOrder(ed) {
			return usagef("--signing-key must be 64 hex digits of a valid Ed25519 key")
		}
	} else {
		a.warn("no signing key: messages from %s cannot be authenticated", name)
	}
	user, host, _ := strings.Cut(strings.ToLower(name), "@")
	if domain == "" {
		domain = host
	}
	ct := state.Contact{Name: strings.ToLower(name), Username: user, Domain: domain,
		X25519: x, Ed25519: ed, DomainExplicit: domain != "", Added: time.Now().Unix()}
	if err := c.State.Update(func(tx *state.Tx) error { return tx.PutContact(ct) }); err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(viewOfContact(ct))
	}
	fmt.Fprintf(a.stdout, "added contact %s\n", terminalSafe(ct.Name, false))
	return nil
}
