package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/names"

	"github.com/spf13/cobra"
)

type initOptions struct {
	domain, identityDomain, registerURL, salt, passFile string
	restore, force, allowTOFU, asJSON                   bool
}

// initView is what init prints.
type initView struct {
	Address     string         `json:"address"`
	Fingerprint string         `json:"fingerprint"`
	Salt        string         `json:"salt"`
	Config      string         `json:"config"`
	MovedAside  []config.Moved `json:"moved_aside,omitempty"`
}

func newInitCommand(a *app) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init <user | user@host>",
		Short: "Create a new identity and its config",
		Long: `init writes config.yaml and state.db for a new identity. The keys are
derived from the passphrase and a random salt with Argon2id; nothing secret
is stored. Keep the passphrase and the salt ('dnsmesh identity show' prints
it): together they restore the identity with 'init --restore --salt'.

The node is named with --dns-server (reads and updates go straight to it;
without it reads use the system resolver) and --register-url (its HTTP
registration endpoint, for 'dnsmesh tsig register').

init refuses to touch a folder that already holds config.yaml or state.db.
With --force it renames both to <file>.bak-<UTC time> (stderr names the
backups) and starts a new identity with an empty state: the old prekey
secrets, contacts, inbox and intro queue belong to the old keys and stay
in the backup, which opens as a config home of its own once the two
files are copied back to their plain names.

With --json it prints one object:
  {"address": "alice@mesh.example", "fingerprint": "<16 hex>",
   "salt": "<hex>", "config": "<path of config.yaml>",
   "moved_aside": [{"from": "<path>", "to": "<backup path>"}]}
moved_aside appears only when --force moved files.`,
		Example: `  $ DMP_PASSPHRASE=... dnsmesh init alice --domain mesh.example \
      --dns-server 127.0.0.1:53 --register-url http://127.0.0.1:8053
  $ dnsmesh init alice@mesh.example --restore --salt 3f1c...`,
		Args: needArgs(1, 1),
		RunE: a.wrap(func(_ *cobra.Command, args []string) error {
			return a.runInit(o, args[0])
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.domain, "domain", "",
		"mailbox zone served by the node (default: host of user@host)")
	f.StringVar(&o.identityDomain, "identity-domain", "",
		"name of a zone-anchored identity record dmp.<name> (the --domain zone or a "+
			"name below it); the address becomes user@<name>")
	f.StringVar(&o.registerURL, "register-url", "",
		"node registration URL, e.g. https://node.example")
	f.BoolVar(&o.restore, "restore", false, "restore an identity from its passphrase and --salt")
	f.StringVar(&o.salt, "salt", "", "KDF salt (hex) printed by 'identity show', with --restore")
	f.StringVar(&o.passFile, "passphrase-file", "", "file holding the passphrase, saved in config")
	f.BoolVar(&o.allowTOFU, "allow-tofu", false,
		"accept messages from unpinned senders while no contact is pinned")
	f.BoolVar(&o.asJSON, "json", false, "print JSON")
	f.BoolVar(&o.force, "force", false,
		"start over: move an existing config.yaml and state.db aside as backups")
	return cmd
}

func (a *app) runInit(o initOptions, who string) error {
	cfg, home, err := a.initConfig(o, who)
	if err != nil {
		return err
	}

	id, err := a.initIdentity(cfg, o.restore)
	if err != nil {
		return err
	}
	cfg.VerifyPubkey = hex.EncodeToString(id.X25519Public)
	cfg.SigningPubkey = hex.EncodeToString(id.Ed25519Public)

	moved, err := a.writeInit(home, cfg, o.force)
	if err != nil {
		return err
	}

	v := initView{Address: cfg.Address(), Fingerprint: id.Fingerprint(), Salt: cfg.KDFSalt,
		Config: config.Path(home), MovedAside: moved}
	if o.asJSON {
		return a.printJSON(v)
	}
	fmt.Fprintf(a.stdout, "address:     %s\nfingerprint: %s\nsalt:        %s\nconfig:      %s\n",
		v.Address, v.Fingerprint, v.Salt, v.Config)
	return nil
}

// initConfig builds the new config from the options and returns it with
// the config home, which must be free unless --force starts over.
func (a *app) initConfig(o initOptions, who string) (*config.Config, string, error) {
	user, domain, err := initNames(who, o.domain)
	if err != nil {
		return nil, "", err
	}
	if o.identityDomain != "" {
		d, err := names.CheckDNSName(o.identityDomain, 0)
		if err != nil {
			return nil, "", &usageError{fmt.Errorf("--identity-domain: %w", err)}
		}
		o.identityDomain = strings.ToLower(d)
	}
	if err := client.CheckIdentityDomain(domain, o.identityDomain); err != nil {
		return nil, "", &usageError{withHint(err, "the identity domain must be the mailbox "+
			"zone (--domain) or a name below it, in a zone the same node serves")}
	}
	salt, err := initSalt(o)
	if err != nil {
		return nil, "", err
	}
	cfg := &config.Config{Username: user, Domain: domain, IdentityDomain: o.identityDomain,
		KDFSalt: salt, DNSServer: a.dnsServer, RegisterURL: strings.TrimSuffix(o.registerURL, "/"),
		PassphraseFile: o.passFile, AllowTOFU: o.allowTOFU}

	home, err := a.configHome()
	if err != nil {
		return nil, "", err
	}
	if err := config.CheckFree(home); err != nil && (!o.force || !errors.Is(err,
		config.ErrExists)) {
		return nil, "", withHint(err, "pass --force to start over (the old config.yaml and "+
			"state.db are kept as timestamped backups), or choose another --config-home")
	}
	return cfg, home, nil
}

// initIdentity reads the new passphrase, warns when it is short, derives
// the keys and, with --restore, checks them against the published
// identity.
func (a *app) initIdentity(cfg *config.Config, restore bool) (*keys.Identity, error) {
	pass, err := newPassphrase(cfg)
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(pass); n < minPassphrase {
		a.warn("the passphrase has %d characters; one under %d is easier to guess, and "+
			"with the salt it is all it takes to restore this identity", n, minPassphrase)
	}

	a.progress("deriving keys (Argon2id)...")
	id, err := deriveIdentity(pass, cfg.KDFSalt)
	if err != nil {
		return nil, err
	}
	if restore {
		if err := a.checkRestore(context.Background(), cfg, id); err != nil {
			return nil, err
		}
	}
	return id, nil
}

// writeInit moves an old config and state aside when force is set, then
// writes config.yaml and an empty state.db.
func (a *app) writeInit(home string, cfg *config.Config, force bool) ([]config.Moved,
	error) {
	var moved []config.Moved
	if force {
		var err error
		if moved, err = a.moveAside(home); err != nil {
			return nil, err
		}
	}
	if err := config.Create(home, cfg, false); err != nil {
		return nil, err
	}
	err := state.Open(config.StatePath(home)).Update(func(*state.Tx) error { return nil })
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// minPassphrase is the passphrase length below which init warns.
const minPassphrase = 12

// moveAside moves an existing config and state out of the way of a new
// identity and says so on stderr.
func (a *app) moveAside(home string) ([]config.Moved, error) {
	moved, err := config.MoveAside(home, time.Now())
	for _, m := range moved {
		a.note("moved the old %s aside to %s", m.From, m.To)
	}
	return moved, err
}

// initNames splits user[@host] and settles the mailbox zone.
func initNames(who, domain string) (string, string, error) {
	user, host, hasHost := strings.Cut(who, "@")
	if domain == "" {
		domain = host
	}
	if user == "" || (hasHost && host == "") {
		return "", "", usagef("%q is not a user name or user@host address", who)
	}
	if domain == "" {
		return "", "", usagef("no zone: pass --domain <zone> or use user@host")
	}
	d, err := names.CheckDNSName(domain, 0)
	if err != nil {
		return "", "", err
	}
	return user, strings.ToLower(d), nil
}

// initSalt returns the salt to use: --salt when restoring, else random.
func initSalt(o initOptions) (string, error) {
	if !o.restore {
		if o.salt != "" {
			return "", usagef("--salt only goes with --restore")
		}
		b := make([]byte, client.SaltSize)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("random salt: %w", err)
		}
		return hex.EncodeToString(b), nil
	}
	b, err := hex.DecodeString(o.salt)
	if err != nil || len(b) < 8 {
		return "", usagef("--restore needs --salt with the identity's hex salt (at least 8 bytes)")
	}
	return strings.ToLower(o.salt), nil
}

// newPassphrase reads the passphrase of a new config: the environment,
// the file, else twice from the terminal.
func newPassphrase(cfg *config.Config) (string, error) {
	if cfg.PassphraseFile != "" {
		return config.Passphrase(cfg, nil)
	}
	return config.PromptNew()
}
