package update

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// change is one store change with the TTL the writer asked for.
type change struct {
	store.Change
	asked time.Duration
}

// parseChanges reads the update section (RFC 2136 §2.5, §3.4.1): class IN
// adds a TXT value, class NONE deletes one, class ANY deletes the TXT RRset
// (type TXT or ANY). Deletes of other types are no-ops, since nothing else
// is stored; adds of other types are refused.
func parseChanges(rrs []dns.RR, zone string, cfg Config) ([]change, *Refusal) {
	var out []change
	for _, rr := range rrs {
		c, ok, r := parseChange(rr, zone, cfg)
		if r != nil {
			return nil, r
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func parseChange(rr dns.RR, zone string, cfg Config) (change, bool, *Refusal) {
	h := rr.Header()
	owner, r := ownerIn(rr, zone)
	if r != nil {
		return change{}, false, r
	}
	if isMeta(h.Rrtype) && !(h.Class == dns.ClassANY && h.Rrtype == dns.TypeANY) {
		return change{}, false, refuse(dns.RcodeFormatError, "type %d in update", h.Rrtype)
	}
	c := change{Change: store.Change{Owner: owner}}

	switch h.Class {
	case dns.ClassINET:
		return parseAdd(rr, c, cfg)
	case dns.ClassNONE:
		if h.Ttl != 0 {
			return change{}, false, refuse(dns.RcodeFormatError, "delete TTL must be 0")
		}
		txt, ok := rr.(*dns.TXT)
		if !ok {
			return change{}, false, nil
		}
		v, err := txtValue(txt)
		if err != nil {
			return change{}, false, refuse(dns.RcodeFormatError, "%v", err)
		}
		c.Op, c.Value = store.OpDeleteValue, v
		return c, true, nil
	case dns.ClassANY:
		if h.Ttl != 0 || h.Rdlength != 0 {
			return change{}, false, refuse(dns.RcodeFormatError, "RRset delete with TTL or data")
		}
		c.Op = store.OpDeleteRRset
		return c, h.Rrtype == dns.TypeTXT || h.Rrtype == dns.TypeANY, nil
	}
	return change{}, false, refuse(dns.RcodeFormatError, "update class %d", h.Class)
}

// parseAdd reads a class IN add: TXT only, value within the size cap,
// lifetime capped at the ceiling.
func parseAdd(rr dns.RR, c change, cfg Config) (change, bool, *Refusal) {
	txt, ok := rr.(*dns.TXT)
	if !ok {
		return change{}, false, refuse(dns.RcodeRefused, "only TXT records are stored, not %s",
			dns.TypeToString[rr.Header().Rrtype])
	}
	v, err := txtValue(txt)
	if err != nil {
		return change{}, false, refuse(dns.RcodeFormatError, "%v", err)
	}
	if cfg.MaxValueLen > 0 && len(v) > cfg.MaxValueLen {
		return change{}, false, refuse(dns.RcodeRefused, "value is %d bytes, the cap is %d",
			len(v), cfg.MaxValueLen)
	}

	c.Op, c.Value = store.OpAdd, v
	c.asked = time.Duration(rr.Header().Ttl) * time.Second
	if c.asked == 0 {
		c.asked = DefaultTTL
	}
	c.TTL = c.asked
	if cfg.MaxTTL > 0 && c.TTL > cfg.MaxTTL {
		c.TTL = cfg.MaxTTL
	}
	return c, true, nil
}

// isMeta reports whether t is a meta or query type that no update may
// carry (RFC 2136 §3.4.1.2).
func isMeta(t uint16) bool {
	switch t {
	case dns.TypeANY, dns.TypeAXFR, dns.TypeIXFR, dns.TypeMAILA, dns.TypeMAILB,
		dns.TypeOPT, dns.TypeTSIG, dns.TypeTKEY:
		return true
	}
	return false
}

// txtValue returns the character-strings of rr joined with no separator,
// as raw bytes, and requires them to be UTF-8. It reads them from the
// packed record, so miekg/dns presentation escapes never leak in.
func txtValue(rr *dns.TXT) (string, error) {
	wire := make([]byte, dns.Len(rr)+64)
	n, err := dns.PackRR(rr, wire, 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("TXT record: %w", err)
	}
	rdata, err := rdataOf(wire[:n])
	if err != nil {
		return "", err
	}

	var b strings.Builder
	for len(rdata) > 0 {
		l := int(rdata[0])
		if 1+l > len(rdata) {
			return "", errors.New("TXT record: truncated character-string")
		}
		b.Write(rdata[1 : 1+l])
		rdata = rdata[1+l:]
	}
	v := b.String()
	if !utf8.ValidString(v) {
		return "", errors.New("TXT value is not valid UTF-8")
	}
	return v, nil
}

// rdataOf returns the RDATA of one uncompressed packed record.
func rdataOf(rr []byte) ([]byte, error) {
	off := 0
	for off < len(rr) && rr[off] != 0 {
		off += int(rr[off]) + 1
	}
	off += 1 + 10 // root label, type, class, TTL, RDLENGTH
	if off > len(rr) {
		return nil, errors.New("TXT record: packed record too short")
	}
	return rr[off:], nil
}
