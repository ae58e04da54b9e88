package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/envelope"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/miekg/dns"
)

// ErrNoIdentity is returned when no verified identity record matches.
var ErrNoIdentity = errors.New("client: no identity record found")

// ErrAmbiguous is returned by Fetch when several different keys answer for
// one address and no fingerprint was given to choose.
var ErrAmbiguous = errors.New("client: several identities answer; choose by fingerprint")

// Published lists the owner names an identity was written to.
type Published struct {
	Owners []string
}

// PublishIdentity signs and writes the identity record at the hashed name
// id-<hash16(user)>.<zone>, and at dmp.<identity_domain> too when an
// identity domain is configured (message-path.md §11.4). advertiseV2 adds
// the versions suffix (1, 2). Both go in one UPDATE to the mailbox zone,
// so the identity domain must lie in it (CheckIdentityDomain); the hashed
// copy is also how fetchers of user@identity_domain find the mailbox.
func (c *Client) PublishIdentity(ctx context.Context, ttl time.Duration,
	advertiseV2 bool) (*Published, error) {
	if err := c.needID(); err != nil {
		return nil, err
	}
	if err := CheckIdentityDomain(c.Zone(), c.Cfg.IdentityDomain); err != nil {
		return nil, err
	}
	rec := &records.Identity{Username: c.Cfg.Username, TS: uint64(c.now().Unix())}
	copy(rec.X25519[:], c.ID.X25519Public)
	copy(rec.Ed25519[:], c.ID.Ed25519Public)
	if advertiseV2 {
		rec.Versions = []uint8{1, 2}
	}
	wire, err := rec.Sign(c.ID.Ed25519)
	if err != nil {
		return nil, fmt.Errorf("client: sign identity: %w", err)
	}

	owners := []string{names.IdentityHashed(c.Cfg.Username, c.Zone())}
	if c.Cfg.IdentityDomain != "" {
		owners = append(owners, names.IdentityAnchored(c.Cfg.IdentityDomain))
	}
	var changes []dnsio.Change
	for _, o := range owners {
		// A fresh record replaces the old ones, so readers never have
		// to pick between two of our own keys.
		changes = append(changes, dnsio.Change{Op: dnsio.DeleteAll, Owner: o},
			dnsio.Change{Op: dnsio.Add, Owner: o, Value: wire, TTL: seconds(ttl)})
	}
	if err := c.write(ctx, changes...); err != nil {
		return nil, c.publishError(err)
	}
	return &Published{Owners: owners}, nil
}

// publishError wraps a failed identity write. A refusal with an identity
// domain most often means the key's scope lacks dmp.<identity_domain>:
// registration grants the hashed names only (records-server-cli.md §B.5).
func (c *Client) publishError(err error) error {
	if c.Cfg.IdentityDomain != "" && errors.Is(err, dnsio.ErrRefused) {
		return fmt.Errorf("client: publish identity (a registered key covers only the "+
			"hashed names; writing %s needs a scope the node's operator grants): %w",
			names.IdentityAnchored(c.Cfg.IdentityDomain), err)
	}
	return fmt.Errorf("client: publish identity: %w", err)
}

// ErrIdentityDomain is returned for an identity domain outside the
// mailbox zone.
var ErrIdentityDomain = errors.New("client: identity domain outside the mailbox zone")

// CheckIdentityDomain accepts an empty identity domain, the mailbox zone
// itself, or a name below it. Anything else cannot work: the record
// dmp.<identity_domain> would go to a zone the mailbox's node may not
// serve (NOTZONE in the one UPDATE), and a fetcher of user@identity_domain
// finds the mailbox by looking for the hashed record at the identity
// domain and its parents (FetchIdentity).
func CheckIdentityDomain(mailbox, identity string) error {
	if identity == "" {
		return nil
	}
	if !dns.IsSubDomain(dns.Fqdn(mailbox), dns.Fqdn(identity)) {
		return fmt.Errorf("%w: %s is not %s or a name below it", ErrIdentityDomain,
			strings.TrimRight(identity, "."), strings.TrimRight(mailbox, "."))
	}
	return nil
}

// Candidate is one verified identity record found for an address.
type Candidate struct {
	Owner       string
	Record      *records.Identity
	Fingerprint string

	// Mailbox is the zone of the identity's mailbox: where its prekeys
	// are published, where claims for it go and where its own messages
	// are. For a hashed record it is the host; for a zone-anchored one
	// it is the nearest of the host and its parents that holds the hashed
	// record of the same keys (PublishIdentity writes both), or the host
	// when none does, MailboxFound then being false.
	Mailbox      string
	MailboxFound bool
}

// maxMailboxWalk bounds how many parents of an identity domain are asked
// for the hashed record.
const maxMailboxWalk = 8

// FetchIdentity looks up addr ("user@host", or "user" under the own zone)
// at dmp.<host> and then id-<hash16(user)>.<host> and returns the verified
// records whose username matches, one per distinct key pair, in the order
// found (message-path.md §11.4), each with its mailbox zone.
func (c *Client) FetchIdentity(ctx context.Context, addr string) (string, string,
	[]Candidate, error) {
	user, host, err := c.splitAddress(addr)
	if err != nil {
		return "", "", nil, err
	}
	owners := []string{names.IdentityAnchored(host), names.IdentityHashed(user, host)}
	var out []Candidate
	var lastErr error
	for _, owner := range owners {
		found, err := c.identitiesAt(ctx, owner, user)
		if err != nil {
			lastErr = err
			continue
		}
		out = mergeCandidates(out, found, owner != owners[0], host)
	}
	if len(out) == 0 && lastErr != nil {
		return user, host, nil, lastErr
	}
	if len(out) == 0 {
		return user, host, nil, fmt.Errorf("%w for %s@%s", ErrNoIdentity, user, host)
	}
	c.locateMailboxes(ctx, user, host, out)
	return user, host, out, nil
}

// identitiesAt returns the verified identity records of user at owner.
func (c *Client) identitiesAt(ctx context.Context, owner, user string) ([]Candidate,
	error) {
	vals, err := c.lookup(ctx, owner)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, v := range vals {
		rec, err := records.ParseIdentity(v)
		if err != nil || !strings.EqualFold(rec.Username, user) {
			continue
		}
		fp := keys.Fingerprint(rec.X25519[:], rec.Ed25519[:])
		if !hasFingerprint(out, fp) {
			out = append(out, Candidate{Owner: owner, Record: rec, Fingerprint: fp})
		}
	}
	return out, nil
}

// mergeCandidates adds found to out, one per key pair. Records found at a
// hashed owner under zone mark their key pair's mailbox as zone.
func mergeCandidates(out, found []Candidate, hashed bool, zone string) []Candidate {
	for _, f := range found {
		i := indexFingerprint(out, f.Fingerprint)
		if i < 0 {
			out = append(out, f)
			i = len(out) - 1
		}
		if hashed && !out[i].MailboxFound {
			out[i].Mailbox, out[i].MailboxFound = zone, true
		}
	}
	return out
}

// locateMailboxes finds the mailbox of each zone-anchored candidate whose
// hashed record is not at the host: it walks up the host's parents, as
// long as they have two labels or more, for the same keys' hashed record.
func (c *Client) locateMailboxes(ctx context.Context, user, host string, cs []Candidate) {
	zone := host
	for step := 0; step < maxMailboxWalk && !allLocated(cs); step++ {
		_, parent, ok := strings.Cut(zone, ".")
		if !ok || !strings.Contains(parent, ".") {
			break
		}
		zone = parent
		found, err := c.identitiesAt(ctx, names.IdentityHashed(user, zone), user)
		if err != nil {
			continue
		}
		for _, f := range found {
			if i := indexFingerprint(cs, f.Fingerprint); i >= 0 && !cs[i].MailboxFound {
				cs[i].Mailbox, cs[i].MailboxFound = zone, true
			}
		}
	}
	for i := range cs {
		if !cs[i].MailboxFound {
			cs[i].Mailbox = host
		}
	}
}

func allLocated(cs []Candidate) bool {
	for _, c := range cs {
		if !c.MailboxFound {
			return false
		}
	}
	return true
}

func indexFingerprint(cs []Candidate, fp string) int {
	for i, c := range cs {
		if c.Fingerprint == fp {
			return i
		}
	}
	return -1
}

func hasFingerprint(cs []Candidate, fp string) bool { return indexFingerprint(cs, fp) >= 0 }

// Choose picks the candidate with fingerprint fp, or the only candidate
// when fp is empty.
func Choose(cs []Candidate, fp string) (*Candidate, error) {
	fp = strings.ToLower(fp)
	if fp == "" {
		if len(cs) == 1 {
			return &cs[0], nil
		}
		return nil, ErrAmbiguous
	}
	for i := range cs {
		if cs[i].Fingerprint == fp {
			return &cs[i], nil
		}
	}
	return nil, fmt.Errorf("%w with fingerprint %s", ErrNoIdentity, fp)
}

// splitAddress returns the canonical user and host of addr, defaulting
// the host to the own zone.
func (c *Client) splitAddress(addr string) (string, string, error) {
	full := addr
	if !strings.Contains(addr, "@") {
		full += "@" + c.Zone()
	}
	canon, ok := envelope.Canonicalize(full)
	if !ok {
		// Quoted as typed: the own zone appended to a bare name is ours.
		return "", "", fmt.Errorf("client: %q is not a user@host address", addr)
	}
	user, host, _ := strings.Cut(canon, "@")
	return user, host, nil
}

// AddContact pins cand as the contact user@host, whose domain is the
// candidate's mailbox zone: prekeys are read there (DECISIONS C3), claims
// for it go there and its messages are walked there, which for a
// zone-anchored identity is not the host. A contact pinned from the
// intro queue by the same signing key is upgraded in place.
func (c *Client) AddContact(user, host string, cand *Candidate) (state.Contact, error) {
	mailbox := cand.Mailbox
	if mailbox == "" {
		mailbox = host
	}
	ct := state.Contact{
		Name: user + "@" + host, Username: user, Domain: mailbox,
		X25519:         append([]byte(nil), cand.Record.X25519[:]...),
		Ed25519:        append([]byte(nil), cand.Record.Ed25519[:]...),
		DomainExplicit: true, Added: c.now().Unix(),
	}
	err := c.State.Update(func(tx *state.Tx) error {
		cs, err := tx.Contacts()
		if err != nil {
			return err
		}
		for _, old := range cs {
			if old.Name != ct.Name && len(old.X25519) == 0 &&
				bytes.Equal(old.Ed25519, ct.Ed25519) {
				if err := tx.DeleteContact(old.Name); err != nil {
					return err
				}
			}
		}
		return tx.PutContact(ct)
	})
	return ct, err
}

// Contact returns the contact called name, trying name@<own zone> for a
// bare name; it fails with ErrUnknownContact.
func (c *Client) Contact(name string) (state.Contact, error) {
	var ct state.Contact
	err := c.State.View(func(tx *state.Tx) error {
		var err error
		for _, n := range []string{name, strings.ToLower(name), name + "@" + c.Zone()} {
			if ct, err = tx.Contact(n); err == nil {
				return nil
			}
		}
		return err
	})
	if errors.Is(err, state.ErrNotFound) {
		return ct, fmt.Errorf("%w %q", ErrUnknownContact, name)
	}
	return ct, err
}

func seconds(d time.Duration) uint32 { return uint32(d / time.Second) }
