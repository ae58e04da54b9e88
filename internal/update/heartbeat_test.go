package update

import (
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/discovery"
	"github.com/dnsmesh/dmp/pkg/names"

	"github.com/miekg/dns"
)

// heartbeatWire signs a heartbeat by privB with ts at testNow+age.
func heartbeatWire(t *testing.T, age time.Duration) string {
	t.Helper()
	ts := testNow.Add(age)
	h := discovery.Heartbeat{Endpoint: "https://node.mesh.example", OperatorSPK: pubB,
		Version: "0.7.5", Capabilities: discovery.CapClaimProvider,
		ClaimProviderZone: "mesh.example", TS: uint64(ts.Unix()),
		Exp: uint64(ts.Add(24 * time.Hour).Unix())}
	w, err := h.Sign(privB)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestHeartbeatWrites checks validation on write of the heartbeat and
// seen-graph names (DECISIONS N1) and that only operator keys write them.
func TestHeartbeatWrites(t *testing.T) {
	hb, seen := names.Heartbeat(zone), names.Seen(zone)
	operator := &store.Key{Name: "op.mesh.example.", Scope: []string{"mesh.example"}}
	user := &store.Key{Name: "alice-1.mesh.example.", Scope: []string{"mesh.example"},
		Subject: "alice@mesh.example"}
	fresh := heartbeatWire(t, -time.Minute)
	old := heartbeatWire(t, -2*time.Hour)
	cases := []struct {
		name  string
		key   *store.Key
		rr    dns.RR
		rcode int
	}{
		{"operator heartbeat", operator, txtRR(hb, dns.ClassINET, 300, fresh), dns.RcodeSuccess},
		{"operator seen", operator, txtRR(seen, dns.ClassINET, 300, fresh), dns.RcodeSuccess},
		{"seen republished late", operator, txtRR(seen, dns.ClassINET, 300, old),
			dns.RcodeSuccess},
		{"stale heartbeat", operator, txtRR(hb, dns.ClassINET, 300, old), dns.RcodeRefused},
		{"forged heartbeat", operator, txtRR(hb, dns.ClassINET, 300, forge(fresh)),
			dns.RcodeRefused},
		{"forged seen", operator, txtRR(seen, dns.ClassINET, 300, forge(fresh)),
			dns.RcodeRefused},
		{"not a heartbeat", operator, txtRR(hb, dns.ClassINET, 300, chunkWire(t)),
			dns.RcodeRefused},
		{"registered key heartbeat", user, txtRR(hb, dns.ClassINET, 300, fresh),
			dns.RcodeRefused},
		{"registered key seen", user, txtRR(seen, dns.ClassINET, 300, fresh), dns.RcodeRefused},
		{"registered key delete", user, txtRR(hb, dns.ClassANY, 0, ""), dns.RcodeRefused},
		{"operator delete", operator, &dns.ANY{Hdr: dns.RR_Header{Name: hb,
			Rrtype: dns.TypeTXT, Class: dns.ClassANY}}, dns.RcodeSuccess},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(updateMsg(c.rr), testCfg, Writer{Key: c.key}, testNow)
			if got := rcodeOf(err); got != c.rcode {
				t.Fatalf("got rcode %s (%v), want %s", dns.RcodeToString[got], err,
					dns.RcodeToString[c.rcode])
			}
		})
	}
}
