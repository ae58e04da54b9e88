package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/keys"
)

// restoreTimeout bounds the identity lookup of init --restore.
const restoreTimeout = 15 * time.Second

// checkRestore compares the keys a restore derived with the identity
// published for the address, so a mistyped passphrase or salt does not
// quietly make a new identity. A published identity with other keys is
// refused with ErrWrongPassphrase (exit 4) before anything is written.
// When none can be read (no node configured, the node down, nothing
// published) it warns and prints the fingerprint to compare by hand.
func (a *app) checkRestore(ctx context.Context, cfg *config.Config, id *keys.Identity) error {
	server := a.server(cfg)
	if server == "" {
		a.warn("the restore could not be verified: no node configured (--dns-server); "+
			"check that fingerprint %s is the one you noted", id.Fingerprint())
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, restoreTimeout)
	defer cancel()
	c := &client.Client{Cfg: cfg, Reader: &dnsio.Reader{Servers: []string{server}}}
	_, _, cands, err := c.FetchIdentity(ctx, cfg.Address())
	if err != nil {
		a.warn("the restore could not be verified: %s; check that fingerprint %s is the one "+
			"you noted", err, id.Fingerprint())
		return nil
	}
	for _, cand := range cands {
		if bytes.Equal(cand.Record.Ed25519[:], id.Ed25519Public) &&
			bytes.Equal(cand.Record.X25519[:], id.X25519Public) {
			a.note("restore verified: the keys match the identity published for %s",
				cfg.Address())
			return nil
		}
	}
	return withHint(fmt.Errorf("%w: restored fingerprint %s, but %s is published with "+
		"fingerprint %s", client.ErrWrongPassphrase, id.Fingerprint(), cfg.Address(),
		cands[0].Fingerprint),
		"check the passphrase and --salt (as 'dnsmesh identity show' printed it); "+
			"nothing was written")
}
