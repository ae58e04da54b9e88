package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/client"

	"github.com/spf13/cobra"
)

func newIdentityPublishCommand(a *app) *cobra.Command {
	var ttl time.Duration
	var v2, noV2, asJSON bool
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Publish the signed identity record",
		Long: `publish writes the signed identity record at id-<hash16(user)>.<domain>,
and at dmp.<identity-domain> too when an identity domain is configured.
--advertise-v2 tells senders this client reads the DMPv2 envelope, which
carries the sender's address.

The choice is remembered (advertised_versions in config.yaml): once you
publish with --advertise-v2, a plain publish keeps advertising versions 1
and 2 until you publish with --no-advertise-v2. When the versions differ
from the last publish (or no publish recorded them), a note on stderr
says which were advertised.

With --json it prints the names written and the versions advertised:
  {"owners": ["id-<hash>.mesh.example", "dmp.alice.mesh.example"],
   "versions": [1, 2]}`,
		Example: `  $ dnsmesh identity publish --advertise-v2
  $ dnsmesh identity publish --ttl 6h`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(cmd *cobra.Command, _ []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *client.Client) error {
				want := v2 || (!noV2 && c.Cfg.AdvertisesV2())
				p, err := c.PublishIdentity(ctx, ttl, want)
				if err != nil {
					return err
				}
				versions, err := a.rememberVersions(c.Cfg, want)
				if err != nil {
					return err
				}
				return a.printPublished(p.Owners, versions, asJSON)
			})
		}),
	}
	cmd.Flags().DurationVar(&ttl, "ttl", client.DefaultIdentityTTL, "DNS TTL of the record")
	cmd.Flags().BoolVar(&v2, "advertise-v2", false,
		"advertise protocol versions 1 and 2, now and in later publishes")
	cmd.Flags().BoolVar(&noV2, "no-advertise-v2", false,
		"advertise version 1 only, now and in later publishes")
	cmd.MarkFlagsMutuallyExclusive("advertise-v2", "no-advertise-v2")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// rememberVersions records the versions a publish just advertised in
// config.yaml, and notes on stderr when they differ from the last
// publish's, so dropping or adding version 2 is never silent.
func (a *app) rememberVersions(cfg *config.Config, v2 bool) ([]int, error) {
	versions := []int{1}
	if v2 {
		versions = []int{1, 2}
	}
	last := cfg.AdvertisedVersions
	if slices.Equal(versions, last) {
		return versions, nil
	}
	change := "--advertise-v2"
	if v2 {
		change = "--no-advertise-v2"
	}
	a.note("advertised protocol %s (last publish: %s); later publishes keep this "+
		"until you pass %s", describeVersions(versions), describeVersions(last), change)

	home, err := a.configHome()
	if err != nil {
		return nil, err
	}
	cfg.AdvertisedVersions = versions
	if err := config.Save(home, cfg); err != nil {
		return nil, withHint(fmt.Errorf("identity published, but recording its versions "+
			"failed: %w", err), "publish again once config.yaml is writable")
	}
	return versions, nil
}

// describeVersions names a version list for the publish note.
func describeVersions(vs []int) string {
	switch {
	case len(vs) == 0:
		return "not recorded"
	case slices.Equal(vs, []int{1}):
		return "version 1 only"
	case slices.Equal(vs, []int{1, 2}):
		return "versions 1 and 2"
	}
	return fmt.Sprintf("versions %v", vs)
}

// printPublished reports the owner names an identity publish wrote and
// the versions it advertised.
func (a *app) printPublished(owners []string, versions []int, asJSON bool) error {
	if asJSON {
		return a.printJSON(struct {
			Owners   []string `json:"owners"`
			Versions []int    `json:"versions"`
		}{owners, versions})
	}
	for _, o := range owners {
		fmt.Fprintf(a.stdout, "published %s\n", o)
	}
	return nil
}
