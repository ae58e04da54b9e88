package update

import (
	"fmt"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// DefaultTTL is the lifetime of an add whose TTL is 0, as in the reference.
const DefaultTTL = 60 * time.Second

// Config holds what an UPDATE is checked against.
type Config struct {
	Zones       []string      // served zones, lower-case and fully qualified
	MaxValueLen int           // bytes of one joined value; 0: no cap
	MaxPerOwner int           // values at one owner after the update; 0: no cap
	MaxTTL      time.Duration // lifetime ceiling; 0: none
	Quota       int           // live values one writer may hold; 0: none
	ClaimMaxTTL time.Duration // lifetime ceiling of anonymous claims; 0: MaxTTL

	// Apex holds the synthesized apex RRsets other than the SOA (which
	// always exists), by type: the data of each record in presentation
	// form, as ApexData gives it. Prerequisites on them are decided here.
	Apex map[uint16][]string
}

// ApexData returns the presentation form of the data of rrs, for
// Config.Apex.
func ApexData(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, rdata(rr))
	}
	return out
}

// Writer says who sent the UPDATE. Key is nil for an unsigned message.
type Writer struct {
	Key *store.Key
	IP  string
}

// Result is an UPDATE ready for store.Apply.
type Result struct {
	Update store.Update

	// Recipient is the mailbox hash12 of an anonymous claim (empty for a
	// signed UPDATE), for the per-recipient rate limit.
	Recipient string
}

// Refusal is an UPDATE refused before it reaches the store: the rcode to
// answer and the extended DNS error text saying why.
type Refusal struct {
	Rcode int
	Text  string
}

// Error implements error.
func (r *Refusal) Error() string {
	return dns.RcodeToString[r.Rcode] + ": " + r.Text
}

func refuse(rcode int, format string, args ...any) *Refusal {
	return &Refusal{Rcode: rcode, Text: fmt.Sprintf(format, args...)}
}

// Parse checks UPDATE m from writer w at time now and returns the store
// update it asks for. Every failure is a *Refusal.
func Parse(m *dns.Msg, cfg Config, w Writer, now time.Time) (Result, error) {
	zone, r := checkZone(m, cfg.Zones)
	if r != nil {
		return Result{}, r
	}
	prereqs, r := parsePrereqs(m.Answer, zone, cfg.Apex)
	if r != nil {
		return Result{}, r
	}
	changes, r := parseChanges(m.Ns, zone, cfg)
	if r != nil {
		return Result{}, r
	}

	res := Result{Update: store.Update{
		Zone:        zone,
		Prereqs:     prereqs,
		MaxPerOwner: cfg.MaxPerOwner,
		WriterQuota: cfg.Quota,
	}}
	if w.Key != nil {
		r = authorizeKey(changes, zone, *w.Key, now)
		res.Update.Writer = w.Key.Name
	} else {
		res.Recipient, r = authorizeClaim(prereqs, changes, zone, cfg, now)
		res.Update.Writer = "ip:" + w.IP
	}
	if r != nil {
		return Result{}, r
	}

	if r := checkOwnerCounts(changes, cfg.MaxPerOwner); r != nil {
		return Result{}, r
	}
	for _, c := range changes {
		res.Update.Changes = append(res.Update.Changes, c.Change)
	}
	return res, nil
}

// checkZone applies RFC 2136 §3.1: one zone of type SOA and class IN,
// which the node serves.
func checkZone(m *dns.Msg, zones []string) (string, *Refusal) {
	if m.Opcode != dns.OpcodeUpdate {
		return "", refuse(dns.RcodeFormatError, "opcode is not UPDATE")
	}
	if len(m.Question) != 1 {
		return "", refuse(dns.RcodeFormatError, "zone section must hold one zone")
	}
	q := m.Question[0]
	if q.Qtype != dns.TypeSOA || q.Qclass != dns.ClassINET {
		return "", refuse(dns.RcodeFormatError, "zone must be of type SOA and class IN")
	}
	zone := strings.ToLower(dns.Fqdn(q.Name))
	for _, z := range zones {
		if z == zone {
			return zone, nil
		}
	}
	return "", refuse(dns.RcodeNotAuth, "zone %s is not served here", zone)
}

// ownerIn returns the lower-cased owner of rr and checks it lies in zone
// and is a plain name DMP could use.
func ownerIn(rr dns.RR, zone string) (string, *Refusal) {
	owner := strings.ToLower(dns.Fqdn(rr.Header().Name))
	if !store.InZone(zone, owner) {
		return "", refuse(dns.RcodeNotZone, "%s is outside zone %s", owner, zone)
	}
	if strings.ContainsAny(owner, `\ "`) {
		return "", refuse(dns.RcodeRefused, "owner name %q has escaped characters", owner)
	}
	return owner, nil
}

// checkOwnerCounts refuses an UPDATE that alone adds more values at one
// owner than the cap allows; the store checks the total.
func checkOwnerCounts(changes []change, max int) *Refusal {
	if max <= 0 {
		return nil
	}
	adds := map[string]map[string]bool{}
	for _, c := range changes {
		if c.Op != store.OpAdd {
			continue
		}
		if adds[c.Owner] == nil {
			adds[c.Owner] = map[string]bool{}
		}
		adds[c.Owner][c.Value] = true
		if len(adds[c.Owner]) > max {
			return refuse(dns.RcodeRefused, "more than %d values at %s", max, c.Owner)
		}
	}
	return nil
}
