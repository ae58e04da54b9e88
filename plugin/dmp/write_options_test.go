package dmp

import (
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/register"

	"github.com/coredns/caddy"
)

func TestWriteOptions(t *testing.T) {
	cases := []struct {
		name  string
		block string
		ok    bool
		check func(*writeSide) bool
	}{
		{"defaults", "", true, func(ws *writeSide) bool {
			return ws.quota == defaultQuota && ws.claims && ws.reg == nil && ws.admin == nil
		}},
		{"everything", `tsig_fudge 60s
			quota 10
			claims off
			claim_ttl 1h
			claim_rate 5 1m
			claim_recipient_rate 0 1m
			registration 0.0.0.0:8053 Node.Example.org.
			registration_allow example.org example.com
			registration_scope tight
			registration_rate 2 10m
			key_lifetime 0
			admin 127.0.0.1:8054 /etc/dmp/token`, true, func(ws *writeSide) bool {
			r := ws.reg.cfg
			return ws.fudge == time.Minute && ws.quota == 10 && !ws.claims &&
				ws.claimTTL == time.Hour && ws.claimIP == rateOpt{5, time.Minute} &&
				ws.claimTo.N == 0 && ws.reg.addr == "0.0.0.0:8053" &&
				r.Node == "node.example.org" && len(r.Allow) == 2 && r.Scope == "tight" &&
				r.Rate == 2 && r.Window == 10*time.Minute && r.KeyLifetime == 0 &&
				ws.admin.addr == "127.0.0.1:8054"
		}},
		{"registration zone", "registration_zone Other.Example", true,
			func(ws *writeSide) bool { return ws.reg.cfg.Zone == "other.example." }},
		{"registration zone twice", "registration_zone a. b.", false, nil},
		{"public admin", "admin 0.0.0.0:8054 /etc/token", false, nil},
		{"bad rate", "claim_rate x 1m", false, nil},
		{"bad scope", "registration_scope wide", false, nil},
		{"registration without node", "registration 127.0.0.1:8053", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctl := caddy.NewTestController("dns", "dmp example.org {\n"+c.block+"\n}")
			d, err := parse(ctl)
			if (err == nil) != c.ok {
				t.Fatalf("got error %v, want ok=%v", err, c.ok)
			}
			if err != nil {
				return
			}
			d.write.init()
			if !c.check(&d.write) {
				t.Fatalf("got %+v", d.write)
			}
		})
	}
}

// TestRegConfigZones checks the zones registration scopes keys under on a
// node serving several zones.
func TestRegConfigZones(t *testing.T) {
	d := New()
	d.Zones = []string{"a.example.", "b.example."}
	cases := []struct {
		name string
		zone string // registration_zone
		want string // default zone; "" means refused
	}{
		{"first served by default", "", "a.example."},
		{"configured", "b.example.", "b.example."},
		{"not served", "c.example.", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := regConfig(register.Config{Zone: c.zone}, d)
			if c.want == "" {
				if err == nil {
					t.Fatalf("got zone %q, want refusal", cfg.Zone)
				}
				return
			}
			if err != nil || cfg.Zone != c.want || len(cfg.Zones) != 2 {
				t.Fatalf("got %q %v (%v), want %q and both zones", cfg.Zone, cfg.Zones, err,
					c.want)
			}
			if got := cfg.ZoneFor("bob@b.example"); got != "b.example" {
				t.Fatalf("bob@b.example scoped under %q, want b.example", got)
			}
		})
	}
}
