package dmp

import (
	"context"
	"errors"
	"fmt"

	"github.com/dnsmesh/dmp/internal/tsigauth"

	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
)

// RFC 8945 §5.2 has a server verify the TSIG of every request, not only
// of UPDATEs: a query to a dmp zone whose TSIG fails gets NOTAUTH with the
// TSIG error (BADKEY, BADSIG, BADTIME, BADTRUNC), and the answer to a
// verified one is signed with the request MAC chained in (§5.3). The
// verifier and the keys are the UPDATE path's; the replay cache is not
// used, since a replayed query changes nothing. A query without a TSIG
// record makes no store call here.

// queryTSIG verifies the TSIG of a query to a dmp zone. It returns the
// verified request (nil when unsigned) and true when the query is to be
// answered, or false when it has written the reply itself.
func (d *Dmp) queryTSIG(ctx context.Context, state request.Request,
	server string) (*tsigauth.Signed, bool) {
	r, qtype := state.Req, state.QType()
	if !tsigauth.HasTSIG(r) {
		return nil, true
	}
	s, err := d.authenticate(ctx, r)
	switch {
	case errors.Is(err, tsigauth.ErrFormat):
		countQuery(server, qtype, resultFormErr)
		writeFormErr(state.W, r)
		return nil, false
	case err != nil:
		d.health.failed(err)
		countQuery(server, qtype, resultServfail)
		writeServfail(state.W, r)
		return nil, false
	case s.Error != 0:
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeNotAuth)
		d.writeAnswer(state, m, s)
		countQuery(server, qtype, resultNotAuth)
		return nil, false
	}
	return s, true
}

// authenticate runs the write side's verifier on a signed query.
func (d *Dmp) authenticate(ctx context.Context, r *dns.Msg) (*tsigauth.Signed, error) {
	v := d.write.verifier
	if v == nil {
		return nil, errors.New("signed query before start")
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	s, err := v.Authenticate(ctx, r, d.Now())
	if err != nil && !errors.Is(err, tsigauth.ErrFormat) {
		return nil, fmt.Errorf("query TSIG: %w", err)
	}
	return s, err
}

// writeAnswer writes m, the reply to state's query, signed when the query
// was (s not nil). A signed reply bypasses CoreDNS's scrub writer, so it
// gets the client's EDNS and buffer size here, with room for the TSIG
// record; one that cannot fit is sent empty with TC, for a TCP retry.
func (d *Dmp) writeAnswer(state request.Request, m *dns.Msg, s *tsigauth.Signed) {
	if s == nil {
		state.W.WriteMsg(m)
		return
	}
	state.SizeAndDo(m)
	size, tsigLen := state.Size(), tsigauth.ReplyLen(s)
	m.Truncate(size - tsigLen)
	m.Compress = true
	if m.Len()+tsigLen > size {
		m.Answer, m.Ns, m.Truncated = nil, nil, true
	}
	wire, err := tsigauth.Sign(m, s, d.Now())
	if err != nil {
		log.Errorf("query: signing the answer: %v", err)
		return
	}
	writeSigned(state.W, m, wire)
}
