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
// the versions suffix (1, 2).
func (c *Client) PublishIdentity(ctx context.Context, ttl time.Duration,
	advertiseV2 bool) (*Published, error) {
	if err := c.needID(); err != nil {
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
		return nil, fmt.Errorf("client: publish identity: %w", err)
	}
	return &Published{Owners: owners}, nil
}

// Candidate is one verified identity record found for an address.
type Candidate struct {
	Owner       string
	Record      *records.Identity
	Fingerprint string
}

// FetchIdentity looks up addr ("user@host", or "user" under the own zone)
// at dmp.<host> and then id-<hash16(user)>.<host> and returns the verified
// records whose username matches, one per distinct key pair, in the order
// found (message-path.md §11.4).
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
		vals, err := c.lookup(ctx, owner)
		if err != nil {
			lastErr = err
			continue
		}
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
	}
	if len(out) == 0 && lastErr != nil {
		return user, host, nil, lastErr
	}
	if len(out) == 0 {
		return user, host, nil, fmt.Errorf("%w for %s@%s", ErrNoIdentity, user, host)
	}
	return user, host, out, nil
}

func hasFingerprint(cs []Candidate, fp string) bool {
	for _, c := range cs {
		if c.Fingerprint == fp {
			return true
		}
	}
	return false
}

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
	if !strings.Contains(addr, "@") {
		addr += "@" + c.Zone()
	}
	canon, ok := envelope.Canonicalize(addr)
	if !ok {
		return "", "", fmt.Errorf("client: %q is not a user@host address", addr)
	}
	user, host, _ := strings.Cut(canon, "@")
	return user, host, nil
}

// AddContact pins cand as the contact user@host. A contact pinned from
// the intro queue by the same signing key is upgraded in place.
func (c *Client) AddContact(user, host string, cand *Candidate) (state.Contact, error) {
	ct := state.Contact{
		Name: user + "@" + host, Username: user, Domain: host,
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
