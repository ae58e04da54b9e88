// Package config reads and writes the dnsmesh client configuration and
// locates the files under the client's home folder.
//
// The home folder is --config-home, else $DMP_CONFIG_HOME, else ~/.dmp
// (records-server-cli.md §C.3). It holds config.yaml (settings, the KDF
// salt, the stored public keys that detect a wrong passphrase, and the
// TSIG secret) and state.db (package state). Folders are created 0700 and
// files 0600. Every write goes through a temporary file created with O_EXCL:
// a new config is then hard-linked into place, which fails when one is
// already there, so nothing is clobbered even by a racing writer; a changed
// config replaces the old one by rename, so a crash leaves either the old
// or the new file.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// File names inside the home folder.
const (
	FileName  = "config.yaml"
	StateName = "state.db"
)

// Permissions of what the client creates.
const (
	DirMode    os.FileMode = 0o700
	SecretMode os.FileMode = 0o600
)

// EnvHome names the environment variable that sets the home folder.
const EnvHome = "DMP_CONFIG_HOME"

// ErrNotFound is returned by Load when the home folder has no config file.
var ErrNotFound = errors.New("config: no config file")

// ErrExists is returned by Create when a config file is already there,
// and by CheckFree when a config or state file is.
var ErrExists = errors.New("config: file already exists")

// Config is the content of config.yaml.
type Config struct {
	// Username is the local part of the user's address.
	Username string `yaml:"username"`
	// Domain is the mailbox zone: where this client publishes its slot
	// manifests, chunks, prekeys and hashed identity, and where it polls.
	Domain string `yaml:"domain"`
	// IdentityDomain, when set, is the zone of the zone-anchored identity
	// record dmp.<IdentityDomain> and the host part of the address.
	IdentityDomain string `yaml:"identity_domain,omitempty"`
	// KDFSalt is the per-identity Argon2id salt, lower-case hex.
	KDFSalt string `yaml:"kdf_salt"`
	// VerifyPubkey is the X25519 public key (hex) derived at init; a
	// passphrase that derives another key is wrong.
	VerifyPubkey string `yaml:"verify_pubkey"`
	// SigningPubkey is the Ed25519 public key (hex) derived at init.
	SigningPubkey string `yaml:"signing_pubkey"`
	// DNSServer is host:port of a node that takes reads and UPDATEs
	// directly (DECISIONS C12). Empty means the system resolver for reads.
	DNSServer string `yaml:"dns_server,omitempty"`
	// Resolvers are host:port resolvers for reads; they win over the
	// system resolver but not over DNSServer.
	Resolvers []string `yaml:"dns_resolvers,omitempty"`
	// UpdatePort is the port of the notification claims sent to the
	// primary server of another zone, which is found through DNS (SOA
	// MNAME, else NS). Zero means 53; set it only for test beds whose
	// nodes listen elsewhere.
	UpdatePort int `yaml:"update_port,omitempty"`
	// RegisterURL is the node's registration base URL (http or https).
	RegisterURL string `yaml:"register_url,omitempty"`
	// PassphraseFile names a file holding the passphrase.
	PassphraseFile string `yaml:"passphrase_file,omitempty"`
	// AllowTOFU accepts messages from senders that are not pinned when
	// there are no pinned contacts at all (DECISIONS C10, off by default).
	AllowTOFU bool `yaml:"allow_tofu,omitempty"`
	// TSIG holds the key that signs UPDATEs, after `tsig register`.
	TSIG *TSIG `yaml:"tsig,omitempty"`
	// AdvertisedVersions are the protocol versions the last `identity
	// publish` advertised. A later publish keeps them unless told
	// otherwise, so a plain publish cannot silently drop version 2 and
	// turn senders back to v1. Empty means no publish recorded one.
	AdvertisedVersions []int `yaml:"advertised_versions,omitempty"`
}

// AdvertisesV2 reports whether the last recorded publish advertised
// protocol version 2.
func (c *Config) AdvertisesV2() bool { return slices.Contains(c.AdvertisedVersions, 2) }

// TSIG is a registered TSIG key (RFC 8945).
type TSIG struct {
	KeyName   string `yaml:"key_name"`
	SecretHex string `yaml:"secret_hex"`
	Algorithm string `yaml:"algorithm"`
	Zone      string `yaml:"zone"`
	Server    string `yaml:"server,omitempty"`
	Expires   int64  `yaml:"expires_at,omitempty"`
}

// Address returns user@host, host being IdentityDomain when set, else
// Domain.
func (c *Config) Address() string {
	host := c.IdentityDomain
	if host == "" {
		host = c.Domain
	}
	return c.Username + "@" + strings.TrimSuffix(host, ".")
}

// Home returns the home folder: flag when not empty, else $DMP_CONFIG_HOME,
// else ~/.dmp.
func Home(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := os.Getenv(EnvHome); env != "" {
		return env, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config: find home folder: %w", err)
	}
	return filepath.Join(h, ".dmp"), nil
}

// Path returns the config file path in home.
func Path(home string) string { return filepath.Join(home, FileName) }

// StatePath returns the state database path in home.
func StatePath(home string) string { return filepath.Join(home, StateName) }

// Load reads the config of home.
func Load(home string) (*Config, error) {
	b, err := os.ReadFile(Path(home))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNotFound, home)
	}
	if err != nil {
		return nil, fmt.Errorf("config: read: %w", err)
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("config: parse %s: %w", Path(home), err)
	}
	if err := c.check(Path(home)); err != nil {
		return nil, err
	}
	return &c, nil
}

// check reports the first setting of c, read from path, that the client
// cannot use.
func (c *Config) check(path string) error {
	if c.Username == "" || c.Domain == "" || c.KDFSalt == "" {
		return fmt.Errorf("config: %s lacks username, domain or kdf_salt", path)
	}
	if c.UpdatePort < 0 || c.UpdatePort > 65535 {
		return fmt.Errorf("config: %s: update_port %d outside 0..65535", path,
			c.UpdatePort)
	}
	for _, v := range c.AdvertisedVersions {
		if v != 1 && v != 2 {
			return fmt.Errorf("config: %s: advertised_versions holds %d; "+
				"DMP has versions 1 and 2", path, v)
		}
	}
	for _, s := range append([]string{c.DNSServer}, c.Resolvers...) {
		if s == "" {
			continue
		}
		if err := CheckServer(s); err != nil {
			return fmt.Errorf("config: %s: %w", path, err)
		}
	}
	return nil
}

// CheckServer reports whether s is a host:port DNS server address with a
// numeric port, as dns_server, dns_resolvers and --dns-server take.
func CheckServer(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return fmt.Errorf("server %q is not host:port", s)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("server %q has no valid port", s)
	}
	return nil
}

// Create writes c as the config of home, creating home 0700 if needed.
// Without force it refuses with ErrExists to replace a config, and the
// check is the link(2) that puts the new file in place, so of two racing
// Creates exactly one wins. With force it replaces the config atomically.
func Create(home string, c *Config, force bool) error {
	if err := EnsureDir(home); err != nil {
		return err
	}
	if force {
		return Save(home, c)
	}
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	return writeNew(Path(home), b)
}

// Save replaces the config of home atomically.
func Save(home string, c *Config) error {
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	return WriteAtomic(Path(home), b)
}

// EnsureDir creates dir with mode 0700 if it is missing, and tightens an
// existing dir that grants group or other access.
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("config: create %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, DirMode); err != nil {
			return fmt.Errorf("config: tighten %s: %w", dir, err)
		}
	}
	return nil
}

// WriteAtomic writes b to path through a temporary file of its own
// (O_EXCL, mode 0600), synced, then renamed over path.
func WriteAtomic(path string, b []byte) error {
	tmp, err := writeTemp(path, b)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("config: replace %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// writeNew writes b to path only if path does not exist: the data goes
// to a temporary file first and is then hard-linked to path, which fails
// with EEXIST when another file got there first, so a reader never sees a
// half-written file and a concurrent writer is never overwritten.
func writeNew(path string, b []byte) error {
	tmp, err := writeTemp(path, b)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		return fmt.Errorf("config: create %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// writeTemp writes b, synced, to a new temporary file next to path,
// created with O_EXCL and mode 0600, and returns its name.
func writeTemp(path string, b []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return "", fmt.Errorf("config: create temporary file for %s: %w", path, err)
	}
	_, werr := f.Write(b)
	cherr := f.Chmod(SecretMode)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, cherr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("config: write %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

// syncDir flushes a directory so a rename inside it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("config: open %s: %w", dir, err)
	}
	defer d.Close()
	d.Sync() // best effort: some file systems refuse fsync on folders
	return nil
}
