package dmp

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	"github.com/miekg/dns"
)

// Defaults of the Corefile options.
const (
	defaultTTL         = 60 * time.Second // answer TTL, as the reference's DMP_DNS_TTL
	defaultMaxValueLen = 16384            // bytes; see the note below
	defaultMaxPerOwner = 64               // values, as DMP_MAX_VALUES_PER_NAME
	defaultMaxTTL      = 24 * time.Hour   // as DMP_MAX_TTL
	defaultDB          = "dmp.db"         // embedded store, relative to the Corefile root
)

// A note on defaultMaxValueLen: the reference node's HTTP cap,
// DMP_MAX_VALUE_BYTES, is 2048 bytes, but a slot manifest carries 32 bytes
// of chunk hash per chunk, so 2048 bytes admit manifests of at most 42
// chunks: messages of about 3.5 kB. The protocol's largest message (255
// chunks) has an 11 132-byte manifest; 16384, the reference's UPDATE-path
// default, admits it, and max_owner_bytes still bounds each RRset.

// The wire-size cap of one owner's TXT RRset (store.RRBytes per value).
const (
	// defaultMaxOwnerBytes binds before 64 values of the longest value
	// would (about 1 MB, or 132 kB at 2048 bytes each): such an RRset
	// could not be sent whole even over TCP.
	defaultMaxOwnerBytes = 64000
	// maxOwnerBytesCeiling keeps max_owner_bytes within one 65535-byte DNS
	// message with room for the header (12), the longest question (259)
	// and a bare OPT record (11).
	maxOwnerBytesCeiling = 65000
)

func init() { plugin.Register("dmp", setup) }

func setup(c *caddy.Controller) error {
	d, err := parse(c)
	if err != nil {
		return plugin.Error("dmp", err)
	}

	cfg := dnsserver.GetConfig(c)
	if d.open == nil {
		d.useBolt(filepath.Join(cfg.Root, defaultDB))
	}
	// UPDATE is refused by the server unless a plugin opts in.
	cfg.AllowOpcode(dns.OpcodeUpdate)
	// UPDATEs too large for the server's 512-byte UDP read get TC.
	decorateUDP(cfg)
	c.OnStartup(d.OnStartup)
	c.OnShutdown(d.OnShutdown)
	c.OnRestart(d.onRestart)
	c.OnRestartFailed(d.onRestartFailed)
	cfg.AddPlugin(func(next plugin.Handler) plugin.Handler {
		d.Next = next
		return d
	})
	return nil
}

// OnStartup opens the store, starts maintenance and then the write side.
// Everything holds the store through d.stores, so a reopen after a failed
// reload reaches all of it.
func (d *Dmp) OnStartup() error {
	s, err := d.open()
	if err != nil {
		return plugin.Error("dmp", err)
	}
	d.stores = newSwapStore(s)
	d.Store = d.stores
	log.Infof("serving %s from %s", strings.Join(d.Zones, " "), d.source)
	d.health.source = d.source
	d.Ready() // the health bookkeeping logs once if the store cannot be reached yet
	d.maint = startMaintainer(d, maintainInterval)
	if err := d.write.start(d); err != nil {
		return plugin.Error("dmp", err)
	}
	return nil
}

// OnShutdown stops the write side, then maintenance, then closes the store.
// Store stays set: on a reload this runs before the old servers stop, and
// a query they still answer gets the closed store's error (SERVFAIL).
func (d *Dmp) OnShutdown() error {
	err := d.write.stop()
	if d.maint != nil {
		d.maint.close()
		d.maint = nil
	}
	if d.Store != nil && !d.released {
		if cerr := d.Store.Close(); err == nil {
			err = cerr
		}
		d.released = true
	}
	if err != nil {
		return plugin.Error("dmp", err)
	}
	return nil
}

// onRestart runs before a reload starts the new instance, which happens
// before this one shuts down. The embedded store's file is locked by its
// opener, so it is closed here for the new instance to open; queries in
// between get SERVFAIL. A shared Redis needs nothing.
func (d *Dmp) onRestart() error {
	if !d.exclusive || d.stores == nil || d.released {
		return nil
	}
	d.maint.close()
	d.maint = nil
	d.released = true
	return d.stores.Close()
}

// onRestartFailed reopens the embedded store when the reload failed and
// this instance keeps serving. The new store is swapped in atomically
// while queries and UPDATEs run.
func (d *Dmp) onRestartFailed() error {
	if !d.released || d.stores == nil {
		return nil
	}
	s, err := d.open()
	if err != nil {
		return plugin.Error("dmp", err)
	}
	d.stores.swap(s)
	d.released = false
	d.maint = startMaintainer(d, maintainInterval)
	return nil
}

// parse reads one dmp block. The root directory is resolved by setup.
func parse(c *caddy.Controller) (*Dmp, error) {
	d := New()
	seen := false
	for c.Next() {
		if seen {
			return nil, plugin.ErrOnce
		}
		seen = true
		d.Zones = plugin.OriginsFromArgsOrServerBlock(c.RemainingArgs(), c.ServerBlockKeys)
		if err := checkReachable(c, d.Zones); err != nil {
			return nil, err
		}
		for c.NextBlock() {
			if err := d.parseOption(c); err != nil {
				return nil, err
			}
		}
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return d, nil
}

// parseOption parses one keyword of the block, handing keywords it does
// not know to the write side.
func (d *Dmp) parseOption(c *caddy.Controller) error {
	var err error
	switch c.Val() {
	case "db":
		err = d.parseDB(c)
	case "redis":
		err = d.parseRedis(c)
	case "ttl":
		d.TTL, err = durationArg(c, time.Second)
	case "ns":
		d.Apex.NS, err = namesArg(c)
	case "soa":
		err = d.parseSOA(c)
	case "address":
		err = d.parseAddress(c)
	case "max_value_len":
		d.valueLenAt = at(c)
		d.MaxValueLen, err = intArg(c, 1)
	case "max_per_owner":
		d.MaxPerOwner, err = intArg(c, 1)
	case "max_owner_bytes":
		err = d.parseOwnerBytes(c)
	case "max_ttl":
		d.MaxTTL, err = durationArg(c, time.Second)
	case "ratelimit":
		err = d.parseRateLimit(c)
	case "cache":
		if c.NextArg() {
			return c.ArgErr()
		}
		d.AllowCache = true
	case "fallthrough":
		d.Fall.SetZonesFromArgs(c.RemainingArgs())
	default:
		return d.parseWriteOption(c)
	}
	return err
}

// parseWriteOption passes an unknown keyword to the write side.
func (d *Dmp) parseWriteOption(c *caddy.Controller) error {
	handled, err := d.write.parseOption(c)
	if err != nil {
		return err
	}
	if !handled {
		return c.Errf("unknown property %q", c.Val())
	}
	return nil
}

// check validates what involves more than one option.
func (d *Dmp) check() error {
	if len(d.Zones) == 0 {
		return fmt.Errorf("no zone to serve")
	}
	for _, z := range d.Zones {
		// Zones become Redis hash tags (DECISIONS N13).
		if strings.ContainsAny(z, "{}") {
			return fmt.Errorf("zone %q: braces are not allowed in a served zone", z)
		}
	}
	return d.checkOwnerBytes()
}

// checkReachable refuses a served zone outside every zone of the server
// block: CoreDNS routes a query to the block whose zone is the longest
// suffix of its name, so such a zone would never be asked. A block for
// "." covers every zone. Without block keys (a test controller) there is
// nothing to compare with.
func checkReachable(c *caddy.Controller, zones []string) error {
	if len(c.ServerBlockKeys) == 0 {
		return nil
	}
	block := plugin.OriginsFromArgsOrServerBlock(nil, c.ServerBlockKeys)
	for _, z := range zones {
		if plugin.Zones(block).Matches(z) == "" {
			return c.Errf("zone %s is outside the zones of its server block (%s): "+
				"no query for it reaches this block", z, strings.Join(block, " "))
		}
	}
	return nil
}

// parseOwnerBytes reads "max_owner_bytes BYTES", at most the ceiling that
// keeps an RRset within one TCP answer.
func (d *Dmp) parseOwnerBytes(c *caddy.Controller) error {
	d.ownerBytesAt = at(c)
	n, err := intArg(c, 1)
	if err != nil {
		return err
	}
	if n > maxOwnerBytesCeiling {
		return c.Errf("max_owner_bytes %d: at most %d, so that an owner's TXT RRset "+
			"fits one 65535-byte TCP answer with its header and question",
			n, maxOwnerBytesCeiling)
	}
	d.MaxOwnerBytes = n
	return nil
}

// optionPos is where an option was set in the Corefile; line 0: not set.
type optionPos struct {
	file string
	line int
}

// at is the position of c's current token.
func at(c *caddy.Controller) optionPos { return optionPos{c.File(), c.Line()} }

// errAt is an error at position p, worded as caddy's parse errors are.
func errAt(p optionPos, format string, args ...any) error {
	return fmt.Errorf("%s:%d - Error during parsing: %s", p.file, p.line,
		fmt.Sprintf(format, args...))
}

// checkOwnerBytes refuses a max_value_len one value of which would not fit
// max_owner_bytes. The error names the options the operator set, at the
// line of the last of them, and the defaults for the others.
func (d *Dmp) checkOwnerBytes() error {
	one := store.RRBytes(strings.Repeat("x", d.MaxValueLen))
	if one <= d.MaxOwnerBytes {
		return nil
	}
	switch {
	case d.ownerBytesAt.line == 0:
		if one > maxOwnerBytesCeiling {
			return errAt(d.valueLenAt, "max_value_len %d: one value takes %d bytes in an "+
				"answer, more than max_owner_bytes may be (%d)", d.MaxValueLen, one,
				maxOwnerBytesCeiling)
		}
		return errAt(d.valueLenAt, "max_value_len %d: too large for the default "+
			"max_owner_bytes %d, since one value takes %d bytes in an answer; set "+
			"max_owner_bytes %d or more (at most %d)", d.MaxValueLen, d.MaxOwnerBytes, one,
			one, maxOwnerBytesCeiling)
	case d.valueLenAt.line == 0:
		return errAt(d.ownerBytesAt, "max_owner_bytes %d: less than the %d bytes one "+
			"value of the default max_value_len %d takes in an answer", d.MaxOwnerBytes,
			one, d.MaxValueLen)
	}
	pos := d.ownerBytesAt
	if d.valueLenAt.line > pos.line {
		pos = d.valueLenAt
	}
	return errAt(pos, "max_owner_bytes %d: less than the %d bytes one value of "+
		"max_value_len %d takes in an answer", d.MaxOwnerBytes, one, d.MaxValueLen)
}

// parseDB reads "db PATH", the embedded store's file.
func (d *Dmp) parseDB(c *caddy.Controller) error {
	args := c.RemainingArgs()
	if len(args) != 1 {
		return c.ArgErr()
	}
	if d.open != nil {
		return c.Err("only one of db and redis may be given, once")
	}
	path := args[0]
	if !filepath.IsAbs(path) {
		path = filepath.Join(dnsserver.GetConfig(c).Root, path)
	}
	d.useBolt(path)
	return nil
}

// parseSOA reads "soa MNAME RNAME [MINIMUM]".
func (d *Dmp) parseSOA(c *caddy.Controller) error {
	args := c.RemainingArgs()
	if len(args) < 2 || len(args) > 3 {
		return c.ArgErr()
	}
	mname, err := normalName(args[0])
	if err != nil {
		return c.Errf("soa mname: %v", err)
	}
	// An RNAME may be written as a mail address; RFC 1035 §8 dots it.
	rname, err := normalName(strings.Replace(args[1], "@", ".", 1))
	if err != nil {
		return c.Errf("soa rname: %v", err)
	}
	d.Apex.MName, d.Apex.RName = mname, rname
	if len(args) == 3 {
		m, err := strconv.ParseUint(args[2], 10, 31)
		if err != nil {
			return c.Errf("soa minimum %q: not a number of seconds", args[2])
		}
		d.Apex.Minimum = uint32(m)
	}
	return nil
}

// parseAddress reads "address IP...", the apex A and AAAA records.
func (d *Dmp) parseAddress(c *caddy.Controller) error {
	args := c.RemainingArgs()
	if len(args) == 0 {
		return c.ArgErr()
	}
	for _, a := range args {
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.Zone() != "" {
			return c.Errf("address %q: not an IPv4 or IPv6 address", a)
		}
		d.Apex.Addrs = append(d.Apex.Addrs, ip.Unmap())
	}
	return nil
}

// parseRateLimit reads "ratelimit RATE [BURST]": queries per second per
// client address, and the bucket size (default 4×RATE, at least 1).
func (d *Dmp) parseRateLimit(c *caddy.Controller) error {
	args := c.RemainingArgs()
	if len(args) < 1 || len(args) > 2 {
		return c.ArgErr()
	}
	rate, err := strconv.Atoi(args[0])
	if err != nil || rate < 1 {
		return c.Errf("ratelimit rate %q: want a positive integer", args[0])
	}
	burst := 4 * rate
	if len(args) == 2 {
		burst, err = strconv.Atoi(args[1])
		if err != nil || burst < 1 {
			return c.Errf("ratelimit burst %q: want a positive integer", args[1])
		}
	}
	d.limiter = newLimiter(rate, burst)
	return nil
}
