package dnsio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnsmesh/dmp/pkg/txt"
)

// tsigFudge is the TSIG fudge in seconds (RFC 8945 §10 recommends 300).
const tsigFudge = 300

// ErrRefused is wrapped by a *RefusedError.
var ErrRefused = errors.New("dnsio: update refused")

// ErrUnreachable is wrapped when an UPDATE got no reply at all.
var ErrUnreachable = errors.New("dnsio: no reply from the node")

// ErrUnsigned is returned when a signed UPDATE gets a successful reply
// that carries no valid TSIG, so the success cannot be trusted.
var ErrUnsigned = errors.New("dnsio: update reply is not signed by the key")

// RefusedError is a node's refusal of an UPDATE: the rcode, the TSIG
// error when there is one, and the node's EDE texts.
type RefusedError struct {
	Rcode    int
	TSIGCode uint16
	Reasons  []string
}

// Error implements the error interface.
func (e *RefusedError) Error() string {
	s := "node refused the update: " + dns.RcodeToString[e.Rcode]
	if e.TSIGCode != 0 {
		s += "/" + dns.RcodeToString[int(e.TSIGCode)]
	}
	if len(e.Reasons) > 0 {
		s += ": " + strings.Join(e.Reasons, "; ")
	}
	return s
}

// Unwrap makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// Key is a TSIG key (RFC 8945).
type Key struct {
	Name      string // key name, as registered
	Algorithm string // e.g. "hmac-sha256"; empty means hmac-sha256
	Secret    []byte
}

// Op is what one Change does to an RRset.
type Op int

// The three RFC 2136 §2.5 operations on TXT that DMP uses.
const (
	Add         Op = iota // add Value with TTL
	DeleteValue           // class NONE: delete Value
	DeleteAll             // class ANY: delete every TXT at Owner
)

// Change is one update to the TXT RRset at Owner.
type Change struct {
	Op    Op
	Owner string
	Value string // raw value; split at 255 bytes when sent
	TTL   uint32 // seconds, for Add
}

// Updater sends RFC 2136 UPDATEs for Zone to Server (host:port), signed
// with Key when Key is set. Anonymous UPDATEs only suit claim records.
type Updater struct {
	Server  string
	Zone    string
	Key     *Key
	Timeout time.Duration
}

// Apply sends changes as one UPDATE message, which a DMP node applies all
// or nothing (DECISIONS N4). It returns a *RefusedError when the node
// answers with a failure rcode.
func (u *Updater) Apply(ctx context.Context, changes ...Change) error {
	m, err := u.message(changes)
	if err != nil {
		return err
	}
	timeout := u.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	var secrets map[string]string
	if u.Key != nil {
		secrets = map[string]string{keyName(u.Key): base64.StdEncoding.EncodeToString(u.Key.Secret)}
	}

	resp, err := exchange(ctx, m, u.Server, timeout, secrets)
	if resp == nil {
		return fmt.Errorf("%w: update %s via %s: %w", ErrUnreachable, u.Zone, u.Server, err)
	}
	return u.check(resp, err)
}

// message builds the UPDATE for changes.
func (u *Updater) message(changes []Change) (*dns.Msg, error) {
	if len(changes) == 0 {
		return nil, errors.New("dnsio: empty update")
	}
	m := new(dns.Msg)
	m.SetUpdate(dns.Fqdn(u.Zone))
	for _, c := range changes {
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(c.Owner), Rrtype: dns.TypeTXT,
			Class: dns.ClassINET, Ttl: c.TTL}, Txt: txt.Presentation(c.Value)}
		switch c.Op {
		case Add:
			m.Insert([]dns.RR{rr})
		case DeleteValue:
			m.Remove([]dns.RR{rr})
		case DeleteAll:
			m.RemoveRRset([]dns.RR{rr})
		default:
			return nil, fmt.Errorf("dnsio: unknown update op %d", c.Op)
		}
	}
	m.SetEdns0(udpSize, false)
	if u.Key != nil {
		m.SetTsig(keyName(u.Key), algorithm(u.Key), tsigFudge, time.Now().Unix())
	}
	return m, nil
}

// check turns the reply into nil or an error. verr is the library's TSIG
// verification result for a signed reply.
func (u *Updater) check(resp *dns.Msg, verr error) error {
	t := resp.IsTsig()
	if resp.Rcode != dns.RcodeSuccess {
		re := &RefusedError{Rcode: resp.Rcode, Reasons: EDE(resp)}
		if t != nil {
			re.TSIGCode = t.Error
		}
		return re
	}
	if u.Key == nil {
		return nil
	}
	if t == nil || verr != nil || !strings.EqualFold(t.Hdr.Name, keyName(u.Key)) {
		return fmt.Errorf("%w (zone %s)", ErrUnsigned, u.Zone)
	}
	return nil
}

func keyName(k *Key) string { return dns.CanonicalName(k.Name) }

func algorithm(k *Key) string {
	if k.Algorithm == "" {
		return dns.HmacSHA256
	}
	return dns.CanonicalName(k.Algorithm)
}
