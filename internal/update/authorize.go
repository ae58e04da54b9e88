package update

import (
	"time"

	"github.com/dnsmesh/dmp/internal/scope"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"github.com/miekg/dns"
)

// authorizeKey checks every change against the key's scope and validates
// every added value (DECISIONS N1).
func authorizeKey(changes []change, zone string, key store.Key, now time.Time) *Refusal {
	for _, c := range changes {
		op := scope.Add
		if c.Op != store.OpAdd {
			op = scope.Delete
		}
		if !scope.Covers(key.Scope, c.Owner, op) {
			return refuse(dns.RcodeRefused, "%s may not %s at %s", key.Name, opName(op), c.Owner)
		}
		if r := operatorOnly(c.Owner, zone, key); r != nil {
			return r
		}
		if c.Op != store.OpAdd {
			continue
		}
		if err := Validate(c.Owner, zone, c.Value, key.SignKey, now); err != nil {
			return refuse(dns.RcodeRefused, "%s: %v", c.Owner, err)
		}
	}
	return nil
}

// operatorOnly refuses a self-service key (one minted by registration for
// a subject) any write at the node's heartbeat and seen-graph names: in
// the reference only the node writes them, with its operator key
// (records-server-cli.md §B.12), so here only operator keys, added with
// dmpctl, may, whatever the scope of the registered key.
func operatorOnly(owner, zone string, key store.Key) *Refusal {
	k := names.Classify(owner, zone).Kind
	if (k == names.KindHeartbeat || k == names.KindSeen) && key.Subject != "" {
		return refuse(dns.RcodeRefused, "%s: heartbeat records are written by operator keys only",
			owner)
	}
	return nil
}

func opName(op scope.Op) string {
	if op == scope.Delete {
		return "delete"
	}
	return "add"
}

// authorizeClaim admits an unsigned UPDATE only when it adds exactly one
// verifying claim directly under the zone, whose body slot matches the
// owner (DECISIONS W4), and returns the recipient's mailbox hash.
func authorizeClaim(prereqs []store.Prereq, changes []change, zone string, cfg Config,
	now time.Time) (string, *Refusal) {
	if len(prereqs) != 0 || len(changes) != 1 || changes[0].Op != store.OpAdd {
		return "", refuse(dns.RcodeRefused, "unsigned updates may only add one claim record")
	}
	c := &changes[0]
	o := names.Classify(c.Owner, zone)
	if o.Kind != names.KindClaim || o.Domain+"." != zone {
		return "", refuse(dns.RcodeRefused, "unsigned updates may only add one claim record")
	}
	claim, err := records.ParseClaimAt(c.Owner, c.Value, now)
	if err != nil {
		return "", refuse(dns.RcodeRefused, "%s: %v", c.Owner, err)
	}

	ceiling := cfg.ClaimMaxTTL
	if ceiling <= 0 {
		ceiling = cfg.MaxTTL
	}
	if ceiling > 0 {
		left := time.Unix(int64(claim.Exp), 0).Sub(now)
		if left > ceiling {
			return "", refuse(dns.RcodeRefused, "claim expires in %v, the cap is %v",
				left.Round(time.Second), ceiling)
		}
		c.TTL = min(c.asked, ceiling)
	}
	return o.Hash, nil
}
