package dmp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/tsigauth"
	"github.com/dnsmesh/dmp/internal/update"

	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
)

// writeSide holds the node's write path: RFC 2136 UPDATE with TSIG
// verified against keys in the store, the anonymous claim path,
// registration and key administration (records-server-cli.md §B.4, §B.5,
// §B.8; DECISIONS N1, N4, N5, N6, N7). Its options are parsed in
// write_options.go and its HTTP listeners run in write_http.go.
type writeSide struct {
	inited   bool          // defaults applied
	fudge    time.Duration // largest TSIG fudge accepted
	quota    int           // live values per writer; 0: none
	claims   bool          // accept anonymous claims
	claimTTL time.Duration // lifetime ceiling of anonymous claims
	claimIP  rateOpt       // anonymous claims per source IP
	claimTo  rateOpt       // anonymous claims per recipient mailbox

	reg   *regOptions   // registration listener; nil when off
	admin *adminOptions // admin listener; nil when off

	st       store.Store // the plugin's store, set by start
	verifier *tsigauth.Verifier
	addrs    []string // listener addresses claimed by start
	hooked   bool     // restart-failed hook registered
}

// rateOpt is a fixed-window limit: N events per Window; N 0 means off.
type rateOpt struct {
	N      int
	Window time.Duration
}

// Defaults of the write-side options.
const (
	defaultQuota    = 4096
	defaultClaimTTL = 24 * time.Hour
)

var (
	defaultClaimIP = rateOpt{N: 30, Window: time.Minute}
	defaultClaimTo = rateOpt{N: 30, Window: time.Minute}
)

// updateTimeout bounds the store calls of one UPDATE.
const updateTimeout = 5 * time.Second

// serveUpdate answers one UPDATE message. It always writes the reply
// itself, signed when the request was (N5), and reports success to the
// server so nothing else writes.
func (d *Dmp) serveUpdate(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	now := d.Now()
	ws := &d.write
	if ws.verifier == nil {
		return dns.RcodeServerFailure, errors.New("dmp: update before start")
	}

	s, err := ws.verifier.Verify(ctx, r, now)
	var o outcome
	switch {
	case errors.Is(err, tsigauth.ErrFormat):
		o = refusal(dns.RcodeFormatError, "malformed TSIG record")
	case errors.Is(err, tsigauth.ErrReplay):
		o = refusal(dns.RcodeRefused, "replayed TSIG MAC")
	case err != nil:
		d.health.failed(err) // the key or replay lookup failed: a store error
		o = storeFailure()
	case s != nil && s.Error != 0:
		o = outcome{rcode: dns.RcodeNotAuth, result: updNotAuth}
	default:
		state := request.Request{W: w, Req: r}
		o = d.applyUpdate(ctx, r, s, state.IP(), now)
	}
	d.writeUpdateReply(w, r, s, o, now)
	countUpdate(o.result)
	return dns.RcodeSuccess, nil
}

// applyUpdate authorises, validates and applies a verified or unsigned
// UPDATE.
func (d *Dmp) applyUpdate(ctx context.Context, r *dns.Msg, s *tsigauth.Signed, ip string,
	now time.Time) outcome {
	ws := &d.write
	writer := update.Writer{IP: ip}
	if s != nil {
		writer.Key = &s.Key
	} else if o, ok := d.claimGate(ctx, ip, now); !ok {
		return o
	}

	res, err := update.Parse(r, d.updateConfig(), writer, now)
	var ref *update.Refusal
	if errors.As(err, &ref) {
		return refusal(ref.Rcode, ref.Text)
	}
	if res.Recipient != "" {
		bucket := "claim-to:" + res.Update.Zone + res.Recipient
		if o, ok := d.allow(ctx, bucket, ws.claimTo, now, "claims to this mailbox"); !ok {
			return o
		}
	}

	res.Update.MaxOwnerBytes = d.MaxOwnerBytes // the store checks it atomically (#4)
	start := time.Now()
	err = d.Store.Apply(ctx, res.Update, now)
	observeStore("apply", start)
	return d.applyOutcome(err)
}

// updateConfig is the update.Config of this plugin instance.
func (d *Dmp) updateConfig() update.Config {
	return update.Config{
		Zones:       d.Zones,
		MaxValueLen: d.MaxValueLen,
		MaxPerOwner: d.MaxPerOwner,
		MaxTTL:      d.MaxTTL,
		Quota:       d.write.quota,
		ClaimMaxTTL: d.write.claimTTL,
		Apex:        d.apexData(),
	}
}

// apexData is the data of the synthesized apex RRsets an UPDATE's
// prerequisites may name, the same in every served zone.
func (d *Dmp) apexData() map[uint16][]string {
	out := map[uint16][]string{}
	for _, t := range []uint16{dns.TypeNS, dns.TypeA, dns.TypeAAAA} {
		if rrs := d.Apex.records(t, ".", ".", 0, time.Time{}); len(rrs) > 0 {
			out[t] = update.ApexData(rrs)
		}
	}
	return out
}

// claimGate admits an unsigned UPDATE to the claim path when claims are
// on and the source is within its rate.
func (d *Dmp) claimGate(ctx context.Context, ip string, now time.Time) (outcome, bool) {
	if !d.write.claims {
		return refusal(dns.RcodeRefused, "unsigned updates are not accepted here"), false
	}
	return d.allow(ctx, "claim-ip:"+ip, d.write.claimIP, now, "claims from this address")
}

// allow counts one event in bucket and refuses when over the limit. A
// store failure goes to the health bookkeeping, which logs an outage once
// rather than once per UPDATE.
func (d *Dmp) allow(ctx context.Context, bucket string, lim rateOpt, now time.Time,
	what string) (outcome, bool) {
	if lim.N <= 0 {
		return outcome{}, true
	}
	ok, err := d.write.st.Allow(ctx, bucket, lim.N, lim.Window, now)
	if err != nil {
		d.health.failed(fmt.Errorf("update rate limit: %w", err))
		return storeFailure(), false
	}
	d.health.ok()
	if !ok {
		return refusal(dns.RcodeRefused, "rate limit: too many "+what), false
	}
	return outcome{}, true
}

// applyOutcome maps the result of Apply to the reply. An answer of the
// store, applied or refused, marks it healthy; any other error is an
// outage, which the health bookkeeping logs once rather than per UPDATE.
func (d *Dmp) applyOutcome(err error) outcome {
	o, answered := storeAnswer(err)
	if !answered {
		d.health.failed(fmt.Errorf("update: %w", err))
		return storeFailure()
	}
	d.health.ok()
	return o
}

// storeAnswer maps the store's answer to the reply (RFC 2136 §3.2.5); it
// reports false for an error that is not one of its answers.
func storeAnswer(err error) (outcome, bool) {
	var pe *store.PrereqError
	switch {
	case err == nil:
		return outcome{rcode: dns.RcodeSuccess, result: updOK}, true
	case errors.As(err, &pe):
		return outcome{rcode: prereqRcode(pe.Kind), result: updPrereq}, true
	case errors.Is(err, store.ErrOwnerFull):
		return refusal(dns.RcodeRefused, "owner name holds too many values"), true
	case errors.Is(err, store.ErrQuota):
		return refusal(dns.RcodeRefused, "writer quota exceeded"), true
	}
	return outcome{}, false
}

func prereqRcode(k store.PrereqKind) int {
	switch k {
	case store.RRsetAbsent:
		return dns.RcodeYXRrset
	case store.NameInUse:
		return dns.RcodeNameError
	case store.NameNotInUse:
		return dns.RcodeYXDomain
	}
	return dns.RcodeNXRrset
}
