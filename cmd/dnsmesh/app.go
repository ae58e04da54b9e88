package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/keys"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// app holds what every command shares: the streams and global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	home      string // --config-home
	dnsServer string // --dns-server

	permsWarned bool // the config permissions were checked in this run
	// noTopUpWarned: recv said the prekey pool cannot be topped up.
	noTopUpWarned bool
}

// wrap marks errors of a run function as run errors (see exitCode).
func (a *app) wrap(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command,
	[]string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd, args); err != nil {
			return &runError{err: err}
		}
		return nil
	}
}

// checkpoint is the client's Checkpoint hook; only crash tests set it.
var checkpoint func(point string)

// configHome resolves the home folder.
func (a *app) configHome() (string, error) { return config.Home(a.home) }

// loadConfig reads the config of the home folder.
func (a *app) loadConfig() (string, *config.Config, error) {
	home, err := a.configHome()
	if err != nil {
		return "", nil, err
	}
	cfg, err := config.Load(home)
	if err == nil && !a.permsWarned {
		a.permsWarned = true
		for _, w := range config.CheckPerms(home) {
			a.warn("%s", w)
		}
	}
	return home, cfg, err
}

// warn prints a warning line on stderr.
func (a *app) warn(format string, args ...any) {
	fmt.Fprintf(a.stderr, "dnsmesh: warning: "+format+"\n", args...)
}

// note prints an informational line on stderr.
func (a *app) note(format string, args ...any) {
	fmt.Fprintf(a.stderr, "dnsmesh: "+format+"\n", args...)
}

// printJSON writes v as indented JSON on stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// server returns the node to talk to directly: the flag, else config.
func (a *app) server(cfg *config.Config) string {
	if a.dnsServer != "" {
		return a.dnsServer
	}
	return cfg.DNSServer
}

// unlock asks for the passphrase and derives the identity, with a
// progress line when stderr is a terminal.
func (a *app) unlock(cfg *config.Config) (*keys.Identity, error) {
	pass, err := config.Passphrase(cfg, func(s string) { a.warn("%s", s) })
	if errors.Is(err, config.ErrNoPassphrase) && emptyEnvPassphrase() {
		return nil, withHint(err, "$"+config.EnvPassphrase+" is set but empty, so it "+
			"was not used; unset it, or set it to the passphrase")
	}
	if err != nil {
		return nil, err
	}
	a.progress("deriving keys (Argon2id)...")
	id, err := unlockIdentity(cfg, pass)
	if errors.Is(err, client.ErrWrongPassphrase) {
		return nil, withHint(err, wrongPassphraseHint(cfg))
	}
	return id, err
}

// deriveIdentity and unlockIdentity are the two ways a command runs
// Argon2id (init, and every other command that needs keys). They are
// variables so a test can count the derivations of one command: each
// costs a second or more, so a command runs one at most.
var (
	deriveIdentity = client.Derive
	unlockIdentity = client.Unlock
)

// wrongPassphraseHint names the source the wrong passphrase came from, in
// the order config.Passphrase tries them.
func wrongPassphraseHint(cfg *config.Config) string {
	env := "$" + config.EnvPassphrase
	if v := os.Getenv(config.EnvPassphrase); v != "" {
		return "check " + env + ": the passphrase came from it"
	}
	hint := "the passphrase typed at the prompt does not unlock this identity; try again"
	if cfg.PassphraseFile != "" {
		hint = "check the passphrase file " + cfg.PassphraseFile +
			" (passphrase_file in config.yaml): the passphrase came from it"
	}
	if emptyEnvPassphrase() {
		hint += " (" + env + " is set but empty, so it was not used)"
	}
	return hint
}

// emptyEnvPassphrase reports whether $DMP_PASSPHRASE is set to "", which
// config.Passphrase passes over.
func emptyEnvPassphrase() bool {
	v, set := os.LookupEnv(config.EnvPassphrase)
	return set && v == ""
}

// progress prints a line on stderr only when it is a terminal.
func (a *app) progress(s string) {
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(a.stderr, "dnsmesh: %s\n", s)
	}
}

// open builds a client; withKeys derives the identity first.
func (a *app) open(withKeys bool) (*client.Client, error) {
	home, cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	c := &client.Client{Cfg: cfg, State: state.Open(config.StatePath(home)),
		Checkpoint: checkpoint}
	server := a.server(cfg)
	r := &dnsio.Reader{Servers: cfg.Resolvers}
	if server != "" {
		r.Servers = []string{server}
	}
	c.Reader = r
	if cfg.TSIG != nil {
		if w, err := tsigWriter(cfg, server); err == nil {
			c.Writer = w
		} else {
			c.Writer = brokenWriter{err: err} // fails writes only, not local commands
		}
	}
	c.ClaimWriter = claimWriter(r, cfg.UpdatePort, server)
	if withKeys {
		if c.ID, err = a.unlock(cfg); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// claimWriter returns the client's ClaimWriter: it finds the primary of
// a zone through the reader's servers (SOA MNAME, else NS; RFC 2136 §4)
// and writes the anonymous claim to it on port, 0 meaning 53. When that
// fails and reads go straight to a node (direct), the claim goes there:
// one node may serve several zones.
func claimWriter(r *dnsio.Reader, port int, direct string) func(context.Context,
	string) (client.Writer, error) {
	return func(ctx context.Context, zone string) (client.Writer, error) {
		apex, servers, err := r.Primary(ctx, zone, port)
		if err != nil && direct == "" {
			return nil, err
		}
		if err != nil {
			apex, servers = zone, []string{direct}
		}
		us := make(dnsio.Updaters, len(servers))
		for i, s := range servers {
			us[i] = &dnsio.Updater{Server: s, Zone: apex, Timeout: claimTimeout}
		}
		return us, nil
	}
}

// claimTimeout bounds one claim UPDATE to one address of a primary, so a
// dead address costs a send little before the next is tried.
const claimTimeout = 3 * time.Second

// brokenWriter fails every write with the reason no writer could be built.
type brokenWriter struct{ err error }

func (b brokenWriter) Apply(context.Context, ...dnsio.Change) error { return b.err }

// tsigWriter builds the UPDATE writer from the registered key.
func tsigWriter(cfg *config.Config, server string) (*dnsio.Updater, error) {
	secret, err := hex.DecodeString(cfg.TSIG.SecretHex)
	if err != nil {
		return nil, fmt.Errorf("config: tsig secret_hex is not hex")
	}
	if cfg.TSIG.Server != "" && server == "" {
		server = cfg.TSIG.Server
	}
	if server == "" {
		return nil, withHint(fmt.Errorf("config: no DNS server for updates"),
			"set dns_server in config.yaml or pass --dns-server host:port")
	}
	return &dnsio.Updater{Server: server, Zone: cfg.TSIG.Zone,
		Key: &dnsio.Key{Name: cfg.TSIG.KeyName, Algorithm: cfg.TSIG.Algorithm, Secret: secret}}, nil
}

// ctx returns a context for one network operation.
func (a *app) ctx(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), 2*time.Minute)
}
