package dmp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coredns/caddy"
	"github.com/miekg/dns"
)

// durationArg reads exactly one duration argument: a Go duration ("90s",
// "24h") or a whole number of seconds. It must be at least least.
func durationArg(c *caddy.Controller, least time.Duration) (time.Duration, error) {
	key, args := c.Val(), c.RemainingArgs()
	if len(args) != 1 {
		return 0, c.ArgErr()
	}
	d, err := time.ParseDuration(args[0])
	if n, nerr := strconv.ParseUint(args[0], 10, 31); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < least {
		return 0, c.Errf("%s %q: want a duration of at least %v", key, args[0], least)
	}
	return d, nil
}

// intArg reads exactly one integer argument of at least least.
func intArg(c *caddy.Controller, least int) (int, error) {
	key, args := c.Val(), c.RemainingArgs()
	if len(args) != 1 {
		return 0, c.ArgErr()
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < least {
		return 0, c.Errf("%s %q: want an integer of at least %d", key, args[0], least)
	}
	return n, nil
}

// namesArg reads one or more domain names.
func namesArg(c *caddy.Controller) ([]string, error) {
	key, args := c.Val(), c.RemainingArgs()
	if len(args) == 0 {
		return nil, c.ArgErr()
	}
	names := make([]string, 0, len(args))
	for _, a := range args {
		n, err := normalName(a)
		if err != nil {
			return nil, c.Errf("%s: %v", key, err)
		}
		names = append(names, n)
	}
	return names, nil
}

// normalName checks a domain name and returns it fully qualified and in
// lower case.
func normalName(s string) (string, error) {
	n := dns.Fqdn(strings.ToLower(s))
	if _, ok := dns.IsDomainName(n); !ok {
		return "", fmt.Errorf("%q is not a domain name", s)
	}
	return n, nil
}
