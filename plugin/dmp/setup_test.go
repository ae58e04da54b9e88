package dmp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
)

// summary renders the parsed settings that a Corefile controls.
func summary(d *Dmp) string {
	var lim string
	if d.limiter != nil {
		lim = fmt.Sprintf(" rate=%v/%v", d.limiter.rate, d.limiter.burst)
	}
	return fmt.Sprintf("zones=%v src=%q ttl=%v ns=%v soa=%s/%s/%d addrs=%v caps=%d/%d/%v "+
		"bytes=%d cache=%v fall=%v%s",
		d.Zones, d.source, d.TTL, d.Apex.NS, d.Apex.MName, d.Apex.RName, d.Apex.Minimum,
		d.Apex.Addrs, d.MaxValueLen, d.MaxPerOwner, d.MaxTTL, d.MaxOwnerBytes, d.AllowCache,
		d.Fall.Zones, lim)
}

func TestParse(t *testing.T) {
	def := New()
	defaults := fmt.Sprintf("caps=%d/%d/%v", def.MaxValueLen, def.MaxPerOwner, def.MaxTTL)
	cases := []struct {
		name  string
		input string
		want  []string // substrings of summary
	}{
		{"zone from args", `dmp example.org`, []string{
			"zones=[example.org.]", `src=""`, "ttl=1m0s", defaults, "bytes=64000",
			"cache=false", "fall=[]",
		}},
		{"zones lower-cased", `dmp Example.ORG example.net.`, []string{
			"zones=[example.org. example.net.]",
		}},
		{"every option", `dmp example.org {
			db /var/lib/dmp/node.db
			ttl 30
			ns ns1.example.org NS2.Example.org.
			soa ns1.example.org hostmaster@example.org 10
			address 192.0.2.1 2001:db8::1 ::ffff:192.0.2.2
			max_value_len 4096
			max_per_owner 10
			max_owner_bytes 20000
			max_ttl 12h
			ratelimit 50 200
			cache
			fallthrough
		}`, []string{
			`src="bolt /var/lib/dmp/node.db"`, "ttl=30s",
			"ns=[ns1.example.org. ns2.example.org.]",
			"soa=ns1.example.org./hostmaster.example.org./10",
			"addrs=[192.0.2.1 2001:db8::1 192.0.2.2]", "caps=4096/10/12h0m0s", "bytes=20000",
			"cache=true", "fall=[.]", "rate=50/200",
		}},
		{"relative db", "dmp example.org {\n db node.db\n}", []string{`src="bolt node.db"`}},
		{"max_owner_bytes fits one value", "dmp example.org {\n max_value_len 900\n" +
			" max_owner_bytes 916\n}", []string{"caps=900/", "bytes=916"}},
		{"ttl as a duration", "dmp example.org {\n ttl 90s\n}", []string{"ttl=1m30s"}},
		{"ratelimit default burst", "dmp example.org {\n ratelimit 5\n}", []string{"rate=5/20"}},
		{"fallthrough zones", "dmp example.org {\n fallthrough example.com\n}",
			[]string{"fall=[example.com.]"}},
		{"redis standalone", "dmp example.org {\n redis redis://:secret@127.0.0.1:6379/2\n}",
			[]string{`src="redis standalone [127.0.0.1:6379]"`}},
		{"redis tls", "dmp example.org {\n redis standalone rediss://r.example.net:6380\n}",
			[]string{`src="redis standalone [r.example.net:6380]"`}},
		{"redis sentinel", "dmp example.org {\n redis sentinel " +
			"redis://s1:26379?master_name=dmp&addr=s2:26379\n}",
			[]string{`src="redis sentinel [s1:26379 s2:26379]"`}},
		{"redis cluster", "dmp example.org {\n redis cluster redis://n1:7000?addr=n2:7000\n}",
			[]string{`src="redis cluster [n1:7000 n2:7000]"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := parse(caddy.NewTestController("dns", c.input))
			if err != nil {
				t.Fatalf("parse(%q): unexpected error %v", c.input, err)
			}
			got := summary(d)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %s, want it to contain %s", got, w)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	block := func(body string) string { return "dmp example.org {\n" + body + "\n}" }
	cases := []struct {
		name  string
		input string
		want  string // substring of the error
	}{
		{"unknown keyword", block("bogus 1"), `unknown property "bogus"`},
		{"ttl without value", block("ttl"), "Wrong argument count"},
		{"ttl zero", block("ttl 0"), "want a duration of at least 1s"},
		{"ttl not a number", block("ttl soon"), `ttl "soon"`},
		{"max_ttl negative", block("max_ttl -5s"), "want a duration of at least 1s"},
		{"db two paths", block("db a.db b.db"), "Wrong argument count"},
		{"db and redis", block("db a.db\nredis redis://h:6379"), "only one of db and redis"},
		{"redis twice", block("redis redis://a:6379\nredis redis://b:6379"), "only one of"},
		{"redis bad scheme", block("redis ftp://h:6379"), "redis: standalone URL"},
		{"redis bad mode", block("redis ring redis://h:6379"), `mode "ring"`},
		{"redis too many args", block("redis cluster redis://a:1 x"), "Wrong argument count"},
		{"sentinel without master", block("redis sentinel redis://s:26379"), "master_name"},
		{"ns bad name", block("ns bad..name"), `"bad..name" is not a domain name`},
		{"ns without names", block("ns"), "Wrong argument count"},
		{"soa one name", block("soa ns1.example.org"), "Wrong argument count"},
		{"soa bad minimum", block("soa ns1.example.org h.example.org soon"), "soa minimum"},
		{"address bad", block("address 300.1.1.1"), "not an IPv4 or IPv6 address"},
		{"address scoped", block("address fe80::1%eth0"), "not an IPv4 or IPv6 address"},
		{"max_per_owner zero", block("max_per_owner 0"), "at least 1"},
		{"max_value_len text", block("max_value_len big"), `max_value_len "big"`},
		{"max_owner_bytes zero", block("max_owner_bytes 0"), "at least 1"},
		{"max_owner_bytes over one message", block("max_owner_bytes 65001"),
			"Testfile:2 - Error during parsing: max_owner_bytes 65001: at most 65000"},
		{"max_owner_bytes under one value", block("max_owner_bytes 16460"),
			"Testfile:2 - Error during parsing: max_owner_bytes 16460: less than the 16461 " +
				"bytes one value of the default max_value_len 16384"},
		{"max_owner_bytes under one set value", block("max_value_len 900\nmax_owner_bytes 915"),
			"Testfile:3 - Error during parsing: max_owner_bytes 915: less than the 916 bytes " +
				"one value of max_value_len 900"},
		{"max_value_len over the default max_owner_bytes", block("max_value_len 64000"),
			"Testfile:2 - Error during parsing: max_value_len 64000: too large for the " +
				"default max_owner_bytes 64000, since one value takes 64263 bytes in an " +
				"answer; set max_owner_bytes 64263 or more (at most 65000)"},
		{"max_value_len over any max_owner_bytes", block("max_value_len 70000"),
			"Testfile:2 - Error during parsing: max_value_len 70000: one value takes 70287 " +
				"bytes in an answer, more than max_owner_bytes may be (65000)"},
		{"claims maybe", block("claims maybe"),
			"Testfile:2 - Error during parsing: claims maybe: want on or off"},
		{"ratelimit zero", block("ratelimit 0"), "ratelimit rate"},
		{"ratelimit bad burst", block("ratelimit 10 x"), "ratelimit burst"},
		{"cache with argument", block("cache 30"), "Wrong argument count"},
		{"twice in a block", "dmp example.org\ndmp example.net", "only be used once"},
		{"no zone", "dmp", "no zone to serve"},
		{"braces in zone", "dmp ex{a}mple.org", "braces are not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(caddy.NewTestController("dns", c.input))
			if err == nil {
				t.Fatalf("parse(%q): got no error, want one containing %q", c.input, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("parse(%q): got error %q, want it to contain %q", c.input, err, c.want)
			}
		})
	}
}

// TestParseZoneOutsideBlock checks that a served zone no query can reach,
// since the server block is for other zones, is refused with its line.
func TestParseZoneOutsideBlock(t *testing.T) {
	cases := []struct {
		keys  []string
		input string
		want  string // substring of the error; empty: no error
	}{
		{[]string{"mesh.example:5353"}, "\ndmp other.example",
			"Testfile:2 - Error during parsing: zone other.example. is outside the zones " +
				"of its server block (mesh.example.)"},
		{[]string{"dns://mesh.example:53", "a.example"}, "dmp mesh.example b.example",
			"zone b.example. is outside"},
		{[]string{"mesh.example:5353"}, "dmp sub.mesh.example Mesh.Example", ""},
		{[]string{".:5353"}, "dmp other.example", ""},
		{[]string{"mesh.example"}, "dmp", ""},
	}
	for _, c := range cases {
		ctl := caddy.NewTestController("dns", c.input)
		ctl.ServerBlockKeys = c.keys
		_, err := parse(ctl)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("keys %v, %q: got error %v, want none", c.keys, c.input, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("keys %v, %q: got error %v, want one containing %q",
				c.keys, c.input, err, c.want)
		}
	}
}

func TestSetupDefaultStore(t *testing.T) {
	c := caddy.NewTestController("dns", "dmp example.org")
	if err := setup(c); err != nil {
		t.Fatalf("setup: %v", err)
	}
	plugins := dnsserver.GetConfig(c).Plugin
	if len(plugins) != 1 {
		t.Fatalf("got %d plugins registered, want 1", len(plugins))
	}
	d, ok := plugins[0](nil).(*Dmp)
	if !ok {
		t.Fatalf("got handler %T, want *Dmp", plugins[0](nil))
	}
	if d.source != "bolt dmp.db" {
		t.Errorf("got store %q, want the embedded store at dmp.db", d.source)
	}
}

func TestParseKeepsDefaults(t *testing.T) {
	d, err := parse(caddy.NewTestController("dns", "dmp example.org"))
	if err != nil {
		t.Fatal(err)
	}
	if d.TTL != time.Minute || d.MaxTTL != 24*time.Hour || d.limiter != nil || d.AllowCache {
		t.Errorf("got ttl %v, max_ttl %v, limiter %v, cache %v; want 1m, 24h, none, false",
			d.TTL, d.MaxTTL, d.limiter, d.AllowCache)
	}
	if d.Fall.Through("example.org.") || len(d.Apex.Addrs) != 0 {
		t.Errorf("got fallthrough %v, addrs %v; want none", d.Fall, d.Apex.Addrs)
	}
}
