package main

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/dnsmesh/dmp/pkg/client"

	"github.com/spf13/cobra"
)

// candidateView is one identity found by `identity fetch`.
type candidateView struct {
	Address     string `json:"address"`
	Owner       string `json:"owner"`
	Mailbox     string `json:"mailbox"` // zone of its prekeys, claims and messages
	Fingerprint string `json:"fingerprint"`
	X25519      string `json:"x25519_public"`
	Ed25519     string `json:"ed25519_public"`
	TS          uint64 `json:"ts"`
	Versions    []int  `json:"versions"` // ints: []uint8 would marshal as base64
	Added       bool   `json:"added"`
}

func newIdentityFetchCommand(a *app) *cobra.Command {
	var add, asJSON bool
	var accept string
	cmd := &cobra.Command{
		Use:   "fetch <user@host | user>",
		Short: "Look up someone's identity record and optionally pin it as a contact",
		Long: `fetch reads dmp.<host> and id-<hash16(user)>.<host> and prints each
verified identity record for the address. --add pins it as a contact named
user@host. The mailbox is the zone where the contact's prekeys, claims and
messages live: the host, or for a zone-anchored identity the nearest parent
of the host holding the hashed record of the same keys. When several keys
answer, compare fingerprints with the person out of band and choose one
with --accept-fingerprint.`,
		Example: `  $ dnsmesh identity fetch bob@mesh.example
  $ dnsmesh identity fetch bob@mesh.example --add --accept-fingerprint 0123456789abcdef`,
		Args: needArgs(1, 1),
		RunE: a.wrap(func(cmd *cobra.Command, args []string) error {
			return a.runFetch(cmd, args[0], add, accept, asJSON)
		}),
	}
	cmd.Flags().BoolVar(&add, "add", false, "pin the identity as a contact")
	cmd.Flags().StringVar(&accept, "accept-fingerprint", "",
		"choose the identity with this 16-hex fingerprint")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) runFetch(cmd *cobra.Command, addr string, add bool, accept string,
	asJSON bool) error {
	c, err := a.open(false)
	if err != nil {
		return err
	}
	ctx, cancel := a.ctx(cmd)
	defer cancel()
	user, host, cands, err := c.FetchIdentity(ctx, addr)
	if err != nil {
		return err
	}
	chosen, err := client.Choose(cands, accept)
	if errors.Is(err, client.ErrAmbiguous) && !add && accept == "" {
		chosen, err = nil, nil // listing only: show them all
	}
	if err != nil {
		a.listCandidates(cands)
		return withHint(err, "verify the fingerprint with its owner, then pass "+
			"--accept-fingerprint <16 hex>")
	}

	views := candidateViews(user+"@"+host, cands, chosen)
	if add {
		if _, err := c.AddContact(user, host, chosen); err != nil {
			return err
		}
		if !chosen.MailboxFound {
			a.warn("found no hashed identity record of these keys at %s or its parents; "+
				"assuming the mailbox zone is %s, where sends may not reach them", host, host)
		}
		views[0].Added = true
	}
	return a.printCandidates(views, asJSON)
}

// listCandidates prints every candidate identity on stderr, so the user
// can pick one by fingerprint.
func (a *app) listCandidates(cands []client.Candidate) {
	for _, cd := range cands {
		fmt.Fprintf(a.stderr, "  fingerprint=%s  x25519=%s...  ed25519=%s...  ts=%d\n",
			cd.Fingerprint, shortHex(cd.Record.X25519[:], 16),
			shortHex(cd.Record.Ed25519[:], 16), cd.Record.TS)
	}
}

// candidateViews returns the views of the chosen candidate, or of all of
// them when none is chosen.
func candidateViews(addr string, cands []client.Candidate,
	chosen *client.Candidate) []candidateView {
	views := make([]candidateView, 0, len(cands))
	for _, cd := range cands {
		if chosen != nil && cd.Fingerprint != chosen.Fingerprint {
			continue
		}
		views = append(views, candidateView{Address: addr, Owner: cd.Owner, Mailbox: cd.Mailbox,
			Fingerprint: cd.Fingerprint, X25519: hex.EncodeToString(cd.Record.X25519[:]),
			Ed25519: hex.EncodeToString(cd.Record.Ed25519[:]), TS: cd.Record.TS,
			Versions: versionsOf(cd.Record.Versions)})
	}
	return views
}

// printCandidates prints the fetched identities as text or JSON.
func (a *app) printCandidates(views []candidateView, asJSON bool) error {
	if asJSON {
		return a.printJSON(views)
	}
	for _, v := range views {
		fmt.Fprintf(a.stdout, "address:     %s\nfingerprint: %s\nx25519:      %s\n"+
			"ed25519:     %s\nversions:    %v\nfound at:    %s\nmailbox:     %s\n", v.Address,
			v.Fingerprint, v.X25519, v.Ed25519, v.Versions, v.Owner, v.Mailbox)
		if v.Added {
			fmt.Fprintf(a.stdout, "added contact %s\n", v.Address)
		}
	}
	return nil
}

func versionsOf(v []uint8) []int {
	if len(v) == 0 {
		return []int{1}
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
