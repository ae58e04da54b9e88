package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/dnsio"

	"github.com/spf13/cobra"
)

func newTSIGCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tsig",
		Short: "Manage the TSIG key that signs updates to the node",
	}
	var url, subject string
	var asJSON bool
	reg := &cobra.Command{
		Use:   "register",
		Short: "Register this identity with the node and save the TSIG key it issues",
		Long: `register proves to the node's registration endpoint that you hold this
identity's keys (an Ed25519 signature over the node's challenge and an
X25519 proof of possession) and saves the TSIG key the node issues in
config.yaml. Every later write is an RFC 2136 UPDATE signed with it.

With --json it prints one object (expires_at is Unix seconds, 0 = never):
  {"key_name": "<name>", "algorithm": "hmac-sha256",
   "zone": "mesh.example", "server": "<host:port or empty>",
   "expires_at": 1767225600}`,
		Example: "  $ dnsmesh tsig register --url http://127.0.0.1:8053",
		Args:    needArgs(0, 0),
		RunE: a.wrap(func(cmd *cobra.Command, _ []string) error {
			return a.runTSIGRegister(cmd, url, subject, asJSON)
		}),
	}
	reg.Flags().StringVar(&url, "url", "", "registration URL (default: register_url in config)")
	reg.Flags().StringVar(&subject, "subject", "", "subject to register (default: user@domain)")
	reg.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(reg)
	return cmd
}

// tsigView is what tsig register prints.
type tsigView struct {
	KeyName   string `json:"key_name"`
	Algorithm string `json:"algorithm"`
	Zone      string `json:"zone"`
	Server    string `json:"server"`
	ExpiresAt int64  `json:"expires_at"`
}

func (a *app) runTSIGRegister(cmd *cobra.Command, url, subject string, asJSON bool) error {
	home, cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if url == "" {
		url = cfg.RegisterURL
	}
	if url == "" {
		return withHint(fmt.Errorf("no registration URL"),
			"pass --url, or set register_url in config.yaml")
	}
	if subject == "" {
		subject = cfg.Username + "@" + cfg.Domain
	}
	id, err := a.unlock(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := a.ctx(cmd)
	defer cancel()
	m, err := dnsio.RegisterTSIG(ctx, nil, url, strings.ToLower(subject), id)
	if err != nil {
		return err
	}

	zone := strings.TrimSuffix(m.Zone, ".")
	if zone == "" {
		zone = cfg.Domain
	}
	cfg.TSIG = &config.TSIG{KeyName: m.KeyName, SecretHex: m.SecretHex, Algorithm: m.Algorithm,
		Zone: zone, Server: a.server(cfg), Expires: m.ExpiresAt}
	if cfg.RegisterURL == "" {
		cfg.RegisterURL = strings.TrimSuffix(url, "/")
	}
	if err := config.Save(home, cfg); err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(tsigView{KeyName: m.KeyName, Algorithm: m.Algorithm, Zone: zone,
			Server: cfg.TSIG.Server, ExpiresAt: m.ExpiresAt})
	}
	fmt.Fprintf(a.stdout, "key:     %s\nzone:    %s\nexpires: %s\n", m.KeyName, zone,
		expiry(m.ExpiresAt))
	return nil
}

func expiry(ts int64) string {
	if ts == 0 {
		return "never"
	}
	return time.Unix(ts, 0).UTC().Format(time.RFC3339)
}
