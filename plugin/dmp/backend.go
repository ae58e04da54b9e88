package dmp

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"
	"github.com/dnsmesh/dmp/internal/store/redisstore"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/redis/go-redis/v9"
)

// redisTimeout is the dial, read and write timeout of Redis connections
// unless the URL sets them (dial_timeout, read_timeout, write_timeout): a
// query waits at most this long for an unreachable Redis.
const redisTimeout = time.Second

// redisDialRetries is how often go-redis dials again after a refused
// connection before a call fails (its default is 5, with backoff, which
// would hold a query well past a resolver's patience).
const redisDialRetries = 1

// useBolt makes d open the embedded store at path (DECISIONS N11).
func (d *Dmp) useBolt(path string) {
	d.source = "bolt " + path
	d.exclusive = true
	d.open = func() (store.Store, error) {
		s, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// parseRedis reads "redis [standalone|sentinel|cluster] URL [{ ... }]".
// The URL is go-redis's: redis:// or rediss:// (TLS), password in the
// user info, more addresses and the Sentinel master_name as query
// parameters. The block takes "tls_ca FILE".
func (d *Dmp) parseRedis(c *caddy.Controller) error {
	if d.open != nil {
		return c.Err("only one of db and redis may be given, once")
	}
	opts, mode, err := redisConfig(c)
	if err != nil {
		return err
	}
	d.source = fmt.Sprintf("redis %s %v", mode, opts.Addrs)
	d.open = redisBackend(opts)
	d.health.explain = redisProblem
	return nil
}

// redisConfig reads the arguments and block of a redis line into client
// options with the plugin's default timeouts, and returns the mode too.
func redisConfig(c *caddy.Controller) (*redis.UniversalOptions, string, error) {
	args := c.RemainingArgs()
	if len(args) == 1 {
		args = []string{"standalone", args[0]}
	}
	if len(args) != 2 {
		return nil, "", c.ArgErr()
	}
	opts, err := redisOptions(args[0], args[1])
	if err != nil {
		return nil, "", c.Errf("redis: %v", err)
	}
	// RemainingArgs stops before a "{": only a block can be left on the line.
	if c.NextArg() {
		if err := parseRedisBlock(c, opts); err != nil {
			return nil, "", err
		}
	}
	opts.DialTimeout = cmp.Or(opts.DialTimeout, redisTimeout)
	opts.ReadTimeout = cmp.Or(opts.ReadTimeout, redisTimeout)
	opts.WriteTimeout = cmp.Or(opts.WriteTimeout, redisTimeout)
	opts.DialerRetries = cmp.Or(opts.DialerRetries, redisDialRetries)
	return opts, args[0], nil
}

// parseRedisBlock reads the sub-options of a redis line up to the
// closing brace, the opening one being the current token.
func parseRedisBlock(c *caddy.Controller, opts *redis.UniversalOptions) error {
	for c.Next() {
		switch c.Val() {
		case "}":
			return nil
		case "tls_ca":
			args := c.RemainingArgs()
			if len(args) != 1 {
				return c.ArgErr()
			}
			path := args[0]
			if !filepath.IsAbs(path) {
				path = filepath.Join(dnsserver.GetConfig(c).Root, path)
			}
			if err := trustCA(opts, path); err != nil {
				return c.Errf("redis tls_ca: %v", err)
			}
		default:
			return c.Errf("redis: unknown option %q", c.Val())
		}
	}
	return c.Err("redis: block without a closing brace")
}

// trustCA makes the TLS connections of opts verify the server against
// the CA certificates in the PEM file at path instead of the system
// roots.
func trustCA(opts *redis.UniversalOptions, path string) error {
	if opts.TLSConfig == nil {
		return fmt.Errorf("needs a rediss:// URL")
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s: no PEM certificate", path)
	}
	opts.TLSConfig = opts.TLSConfig.Clone()
	opts.TLSConfig.RootCAs = pool
	return nil
}

// redisOptions turns a mode and URL into go-redis UniversalClient options
// (DECISIONS N9). The URL is never quoted in errors: it may hold a password.
func redisOptions(mode, rawURL string) (*redis.UniversalOptions, error) {
	switch mode {
	case "standalone":
		o, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("standalone URL: %w", err)
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password,
			DB: o.DB, TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout,
			ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		}, nil
	case "sentinel":
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("sentinel URL: %w", err)
		}
		if o.MasterName == "" {
			return nil, fmt.Errorf("sentinel URL: the master_name parameter is required")
		}
		return &redis.UniversalOptions{
			Addrs: o.SentinelAddrs, MasterName: o.MasterName,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
			DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
			WriteTimeout: o.WriteTimeout,
		}, nil
	case "cluster":
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("cluster URL: %w", err)
		}
		return &redis.UniversalOptions{
			Addrs: o.Addrs, Username: o.Username, Password: o.Password,
			TLSConfig: o.TLSConfig, IsClusterMode: true, DialTimeout: o.DialTimeout,
			ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		}, nil
	}
	return nil, fmt.Errorf("mode %q: want standalone, sentinel or cluster", mode)
}

// redisBackend makes a Redis client with opts. It does not wait for
// Redis: while it is unreachable queries get SERVFAIL and Ready reports
// false, and go-redis reconnects on its own once it is back. OnStartup's
// first ping goes through the store's health bookkeeping, which logs the
// outage once with redisProblem's reading of the error, so a wrong
// password or an untrusted certificate is named at startup.
func redisBackend(opts *redis.UniversalOptions) func() (store.Store, error) {
	return func() (store.Store, error) {
		redisLogOnce.Do(func() { redis.SetLogger(redisLogger{}) })
		return redisstore.New(redis.NewUniversalClient(opts)), nil
	}
}

// redisProblem names what an operator should check after a failed ping.
func redisProblem(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	msg := err.Error()
	switch {
	case strings.Contains(msg, "WRONGPASS"), strings.Contains(msg, "NOAUTH"),
		strings.Contains(msg, "invalid password"):
		return "authentication failed, check the user and password in the redis URL"
	case errors.As(err, &unknownCA), errors.As(err, &verify):
		return "TLS certificate not trusted, name its CA with tls_ca"
	case strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"):
		return "TLS handshake failed"
	}
	return "not reachable"
}

var redisLogOnce sync.Once

// redisLogger sends go-redis's own messages, one per failed dial, to the
// debug log: the plugin reports an outage once through storeHealth.
type redisLogger struct{}

func (redisLogger) Printf(_ context.Context, format string, v ...any) {
	log.Debugf("redis: "+format, v...)
}
