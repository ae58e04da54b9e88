package discovery

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/dnsmesh/dmp/pkg/records"
)

// MaxEndpointLen caps a heartbeat endpoint URL, in bytes of ASCII.
const MaxEndpointLen = 255

// forbiddenRanges lists the address ranges a heartbeat endpoint's IP
// literal may not fall in (DECISIONS W8). It covers every range for which
// Python's ipaddress (3.13, and the older 3.x tables, which are subsets)
// reports is_private, is_reserved, is_loopback, is_link_local,
// is_multicast or is_unspecified, which is what the reference refuses
// (records-server-cli.md §A.5). Python exempts a few anycast addresses
// inside these ranges from is_private (192.0.0.9, 192.0.0.10, 2001:1::1,
// 2001:3::/32, ...); the ranges here are refused whole. The entries marked
// "stricter" go beyond Python: a node endpoint never legitimately lives
// there.
var forbiddenRanges = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		// IPv4.
		"0.0.0.0/8",       // "this network", unspecified: is_private
		"10.0.0.0/8",      // RFC 1918: is_private
		"100.64.0.0/10",   // shared address space (RFC 6598): stricter
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local
		"172.16.0.0/12",   // RFC 1918: is_private
		"192.0.0.0/24",    // IETF protocol assignments: is_private
		"192.0.2.0/24",    // TEST-NET-1: is_private
		"192.168.0.0/16",  // RFC 1918: is_private
		"198.18.0.0/15",   // benchmarking: is_private
		"198.51.100.0/24", // TEST-NET-2: is_private
		"203.0.113.0/24",  // TEST-NET-3: is_private
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, with 255.255.255.255: is_reserved, is_private

		// IPv6: Python's is_reserved table, which leaves only 2000::/3,
		// fc00::/7, fe80::/10, fec0::/10 and ff00::/8 outside it. ::/8
		// holds ::, ::1, the IPv4-mapped and -compatible forms and the
		// NAT64 prefixes.
		"::/8", "100::/8", "200::/7", "400::/6", "800::/5", "1000::/4",
		"4000::/3", "6000::/3", "8000::/3", "a000::/3", "c000::/3",
		"e000::/4", "f000::/5", "f800::/6", "fe00::/9",
		"fc00::/7",  // unique local: is_private
		"fe80::/10", // link-local
		"fec0::/10", // deprecated site-local (RFC 3879): stricter
		"ff00::/8",  // multicast
		// Inside 2000::/3, is_private.
		"2001::/23",     // IETF protocol assignments
		"2001:db8::/32", // documentation
		"2002::/16",     // 6to4
		"3fff::/20",     // documentation (RFC 9637)
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// localhostNames resolve to the local host everywhere (RFC 6761 §6.3 and
// common /etc/hosts entries).
var localhostNames = map[string]bool{
	"localhost": true, "localhost.localdomain": true, "ip6-localhost": true,
}

// checkEndpoint applies the heartbeat endpoint rule on sign and parse
// alike: http or https, a host, an optional port, nothing else. It is the
// reference rule (§A.5) made stricter where the reference leaves holes: the
// port must be a decimal number in 1..65535, host names are letters,
// digits, '-', '_' and '.', numeric host forms that URL parsers read as
// IPv4 ("127.1", "2130706433", "0x7f.1") must be plain dotted quads, and a
// bare "?" or "#" counts as a query or fragment.
func checkEndpoint(typ, ep string) error {
	if len(ep) == 0 || len(ep) > MaxEndpointLen {
		return records.Refuse(typ, "endpoint is %d bytes, want 1..%d", len(ep), MaxEndpointLen)
	}
	for i := 0; i < len(ep); i++ {
		if ep[i] <= 0x20 || ep[i] >= 0x7f {
			return records.Refuse(typ, "endpoint has byte 0x%02x: space, control or not ASCII",
				ep[i])
		}
	}

	scheme, rest, ok := strings.Cut(ep, "://")
	if s := strings.ToLower(scheme); !ok || s != "https" && s != "http" {
		return records.Refuse(typ, "endpoint %q is not an http or https URL", ep)
	}
	if strings.ContainsAny(rest, "/?#") {
		return records.Refuse(typ, "endpoint %q has a path, query or fragment", ep)
	}
	if strings.Contains(rest, "@") {
		return records.Refuse(typ, "endpoint %q carries userinfo", ep)
	}

	host, err := splitEndpointHost(rest)
	if err != nil {
		return records.Refuse(typ, "endpoint %q: %v", ep, err)
	}
	if err := checkEndpointHost(host); err != nil {
		return records.Refuse(typ, "endpoint %q: %v", ep, err)
	}
	return nil
}

// splitEndpointHost splits "host[:port]" or "[v6][:port]", checks the
// port, and returns the host without brackets.
func splitEndpointHost(hostport string) (string, error) {
	host, port, hasPort := strings.Cut(hostport, ":")
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", errors.New("unclosed '['")
		}
		host = hostport[1:end]
		rest := hostport[end+1:]
		port, hasPort = strings.CutPrefix(rest, ":")
		if !hasPort && rest != "" {
			return "", errors.New("text after ']'")
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", errors.New("bracketed host is not an IPv6 address")
		}
	}
	if host == "" {
		return "", errors.New("no host")
	}

	if hasPort {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 || strconv.FormatUint(n, 10) != port {
			return "", errors.New("port is not a number in 1..65535")
		}
	}
	return host, nil
}

// checkEndpointHost refuses local names and forbidden IP literals.
func checkEndpointHost(host string) error {
	lower := strings.ToLower(strings.TrimSuffix(host, "."))
	if localhostNames[lower] || strings.HasSuffix(lower, ".localhost") {
		return errors.New("host is a localhost name")
	}

	if a, err := netip.ParseAddr(host); err == nil {
		for _, p := range forbiddenRanges {
			if p.Contains(a) {
				return fmt.Errorf("address is in the non-public range %s", p)
			}
		}
		return nil
	}

	for i := 0; i < len(host); i++ {
		c := host[i]
		if !isLDH(c) && c != '_' && c != '.' {
			return errors.New("host has a byte outside [A-Za-z0-9._-]")
		}
	}
	labels := strings.Split(lower, ".")
	last := labels[len(labels)-1]
	if last != "" && (strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x")) {
		return errors.New("numeric host is not a dotted-quad IPv4 address")
	}
	return nil
}

// isLDH reports whether c is an ASCII letter, digit or hyphen.
func isLDH(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}
