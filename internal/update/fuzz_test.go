package update

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/miekg/dns"
)

// FuzzParse runs arbitrary messages through Parse, signed and unsigned; it
// must never panic, and every accepted change must lie in the zone.
func FuzzParse(f *testing.F) {
	raw, err := os.ReadFile("../../testdata/vectors/dnspython-tsig-updates.json")
	if err != nil {
		f.Fatal(err)
	}
	var vf struct {
		Cases []struct {
			WireHex string `json:"wire_hex"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &vf); err != nil {
		f.Fatal(err)
	}
	for _, c := range vf.Cases {
		wire, err := hex.DecodeString(c.WireHex)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wire)
	}
	claim, err := updateMsg(txtRR("claim-4.mb-"+mailboxHash()+"."+zone, dns.ClassINET, 60,
		claimWire(f, 4))).Pack()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(claim)

	cfg := testCfg
	cfg.Zones = []string{zone}
	f.Fuzz(func(t *testing.T, wire []byte) {
		m := new(dns.Msg)
		if m.Unpack(wire) != nil {
			return
		}
		for _, w := range []Writer{{Key: userKey()}, {IP: "192.0.2.1"}} {
			res, err := Parse(m, cfg, w, testNow)
			if err != nil {
				continue
			}
			for _, c := range res.Update.Changes {
				o := c.Owner
				if len(o) < len(zone) || o[len(o)-len(zone):] != zone {
					t.Fatalf("change outside zone: %+v", c)
				}
			}
		}
	})
}
