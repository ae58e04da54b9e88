package dmp

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
	"github.com/dnsmesh/dmp/internal/register"
	"github.com/dnsmesh/dmp/internal/tsigauth"

	"github.com/coredns/caddy"
	"github.com/miekg/dns"
)

// regOptions configures the registration listener.
type regOptions struct {
	addr string
	cfg  register.Config
}

// adminOptions configures the key administration listener.
type adminOptions struct {
	addr      string
	tokenFile string
}

// Defaults of the registration options, as the reference's.
const (
	defaultKeyLifetime = 90 * 24 * time.Hour
	defaultRegRate     = 5
	defaultRegWindow   = time.Hour
)

// init applies the defaults once, before the first option or at start.
func (ws *writeSide) init() {
	if ws.inited {
		return
	}
	ws.inited = true
	ws.fudge = tsigauth.DefaultFudge
	ws.quota = defaultQuota
	ws.claims = true
	ws.claimTTL = defaultClaimTTL
	ws.claimIP = defaultClaimIP
	ws.claimTo = defaultClaimTo
}

// parseOption parses one write-side keyword of the dmp block. It reports
// false for a keyword it does not know.
func (ws *writeSide) parseOption(c *caddy.Controller) (bool, error) {
	ws.init()
	var err error
	switch c.Val() {
	case "tsig_fudge":
		ws.fudge, err = durationArg(c, time.Second)
	case "quota":
		ws.quota, err = intArg(c, 0)
	case "claims":
		ws.claims, err = onOffArg(c)
	case "claim_ttl":
		ws.claimTTL, err = durationArg(c, time.Second)
	case "claim_rate":
		ws.claimIP, err = rateArg(c)
	case "claim_recipient_rate":
		ws.claimTo, err = rateArg(c)
	case "registration":
		ws.hookRestartFailed(c)
		err = ws.parseRegistration(c)
	case "registration_allow", "registration_scope", "registration_rate", "key_lifetime",
		"registration_zone":
		err = ws.parseRegistrationOption(c)
	case "admin":
		ws.hookRestartFailed(c)
		err = ws.parseAdmin(c)
	default:
		return false, nil
	}
	return true, err
}

// onOffArg reads exactly one of "on" and "off".
func onOffArg(c *caddy.Controller) (bool, error) {
	key, args := c.Val(), c.RemainingArgs()
	if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
		return false, c.Errf("%s %s: want on or off", key, strings.Join(args, " "))
	}
	return args[0] == "on", nil
}

// rateArg reads "N WINDOW": N events per WINDOW; N 0 turns the limit off.
func rateArg(c *caddy.Controller) (rateOpt, error) {
	key, args := c.Val(), c.RemainingArgs()
	if len(args) != 2 {
		return rateOpt{}, c.ArgErr()
	}
	var r rateOpt
	_, err := fmt.Sscanf(args[0], "%d", &r.N)
	w, werr := time.ParseDuration(args[1])
	if err != nil || r.N < 0 || werr != nil || w < time.Second {
		return rateOpt{}, c.Errf("%s %s %s: want a count and a window of at least 1s",
			key, args[0], args[1])
	}
	r.Window = w
	return r, nil
}

// parseRegistration reads "registration ADDR NODE_HOSTNAME".
func (ws *writeSide) parseRegistration(c *caddy.Controller) error {
	args := c.RemainingArgs()
	if len(args) != 2 {
		return c.ArgErr()
	}
	if _, _, err := net.SplitHostPort(args[0]); err != nil {
		return c.Errf("registration address %q: %v", args[0], err)
	}
	ws.regOpts().addr = args[0]
	ws.reg.cfg.Node = strings.TrimSuffix(strings.ToLower(args[1]), ".")
	return nil
}

func (ws *writeSide) regOpts() *regOptions {
	if ws.reg == nil {
		ws.reg = &regOptions{cfg: register.Config{
			KeyLifetime: defaultKeyLifetime,
			Scope:       register.ScopeDefault,
			Rate:        defaultRegRate,
			Window:      defaultRegWindow,
		}}
	}
	return ws.reg
}

// parseRegistrationOption reads the options that tune registration.
func (ws *writeSide) parseRegistrationOption(c *caddy.Controller) error {
	cfg := &ws.regOpts().cfg
	var err error
	switch c.Val() {
	case "registration_allow":
		cfg.Allow = c.RemainingArgs()
		if len(cfg.Allow) == 0 {
			return c.ArgErr()
		}
	case "registration_scope":
		args := c.RemainingArgs()
		if len(args) != 1 || (args[0] != register.ScopeDefault &&
			args[0] != register.ScopeTight && args[0] != register.ScopeLoose) {
			return c.Errf("registration_scope: want default, tight or loose")
		}
		cfg.Scope = args[0]
	case "registration_rate":
		var r rateOpt
		r, err = rateArg(c)
		cfg.Rate, cfg.Window = r.N, r.Window
	case "key_lifetime":
		cfg.KeyLifetime, err = durationArg(c, 0)
	case "registration_zone":
		args := c.RemainingArgs()
		if len(args) != 1 {
			return c.ArgErr()
		}
		cfg.Zone = strings.ToLower(dns.Fqdn(args[0]))
	}
	return err
}

// parseAdmin reads "admin ADDR TOKENFILE"; ADDR must be loopback.
func (ws *writeSide) parseAdmin(c *caddy.Controller) error {
	args := c.RemainingArgs()
	if len(args) != 2 {
		return c.ArgErr()
	}
	if err := admin.CheckLoopback(args[0]); err != nil {
		return c.Errf("%v", err)
	}
	ws.admin = &adminOptions{addr: args[0], tokenFile: args[1]}
	return nil
}
