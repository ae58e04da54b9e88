package dmp

import (
	"context"
	"encoding/binary"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/metrics"
	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// CoreDNS v1.15 builds its UDP dns.Server without UDPSize, so miekg/dns
// reads every datagram into dns.MinMsgSize (512) bytes and the kernel
// drops the rest. A signed UPDATE carrying a manifest is larger. What
// miekg/dns (v1.1.73, Msg.unpack) does with the 512 bytes depends on where
// the cut falls:
//
//   - Inside an RR (nearly always): unpacking fails and miekg/dns answers
//     by itself, before any plugin runs: FORMERR, opcode forced to QUERY,
//     the question it parsed and no other record. Clients such as the
//     reference one (dnspython) retry over TCP only when a reply has TC
//     set, so they stopped at that FORMERR.
//   - On an RR boundary: unpackRRslice stops without an error when the
//     buffer ends, so the message unpacks without its last RRs, always
//     including its TSIG RR, and reaches the plugin as an unsigned UPDATE.
//
// Both get a FORMERR reply with TC set, so an RFC 1035 §4.2.1 client sends
// the UPDATE again over TCP, which has no such limit (records-server-cli.md
// §B.4; issue #5). The first through dnsserver.Config.UDPDecorateWriterFunc,
// which lets a plugin wrap the UDP listener's writer; the second in
// ServeDNS, before the write side sees the message (cutUDPUpdate).
//
// A malformed datagram gets TC too; its TCP retry then gets the FORMERR it
// deserves. An unsigned UDP UPDATE of 512 bytes or more (uncompressed) is
// sent to TCP as well, since nothing tells it from a cut signed one.

// Offsets and bits of the DNS header (RFC 1035 §4.1.1).
const (
	hdrLen     = 12
	flagsOff   = 2
	qdcountOff = 4
	qrBit      = 0x80 // in byte 2
	tcBit      = 0x02 // in byte 2
	opcodeMask = 0x78 // in byte 2
	rcodeMask  = 0x0f // in byte 3
)

// Values of the reason label of udpRetryTotal.
const (
	retryUnpack = "unpack_failed" // miekg/dns could not unpack the datagram
	retryCut    = "maybe_cut"     // an unsigned UPDATE that filled the read
)

var udpRetryTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Namespace: plugin.Namespace,
	Subsystem: "dmp",
	Name:      "udp_retry_tcp_total",
	Help: "Counter of UDP requests answered FORMERR with TC set so that the " +
		"client retries over TCP, by reason.",
}, []string{"server", "reason"})

// decorateUDP makes cfg's UDP listener set TC on the FORMERR replies
// miekg/dns writes for datagrams it could not unpack, and explain the
// UPDATEs CoreDNS refuses itself (core_refusal.go). A decorator another
// plugin set before stays in place, inside this one.
func decorateUDP(cfg *dnsserver.Config) {
	prev := cfg.UDPDecorateWriterFunc
	cfg.UDPDecorateWriterFunc = func(s *dnsserver.Server) dns.DecorateWriter {
		var inner dns.DecorateWriter
		if prev != nil {
			inner = prev(s)
		}
		return func(w dns.Writer) dns.Writer {
			if inner != nil {
				w = inner(w)
			}
			return unreadableWriter{Writer: refusalWriter{Writer: w}, server: s.Addr}
		}
	}
}

// unreadableWriter flags replies to unreadable UDP requests with TC.
type unreadableWriter struct {
	dns.Writer
	server string
}

func (w unreadableWriter) Write(b []byte) (int, error) {
	if !unreadableReply(b) {
		return w.Writer.Write(b)
	}
	udpRetryTotal.WithLabelValues(w.server, retryUnpack).Inc()
	c := make([]byte, len(b))
	copy(c, b)
	c[flagsOff] |= tcBit
	return w.Writer.Write(c)
}

// unreadableReply reports whether b is the reply miekg/dns writes when
// unpacking a request failed after its question: a response with opcode
// QUERY, rcode FORMERR, TC clear, one question and no other record. No
// plugin in a dmp server answers like that: dmp's own FORMERR replies to
// an UPDATE keep its opcode, and its queries never get FORMERR. The
// replies miekg/dns writes to requests it rejects on their header alone
// carry no question and are left alone.
func unreadableReply(b []byte) bool {
	if len(b) < hdrLen {
		return false
	}
	flags, rcode := b[flagsOff], b[flagsOff+1]&rcodeMask
	if flags&qrBit == 0 || flags&tcBit != 0 || flags&opcodeMask != 0 ||
		rcode != dns.RcodeFormatError {
		return false
	}
	count := func(i int) uint16 { return binary.BigEndian.Uint16(b[qdcountOff+2*i:]) }
	return count(0) == 1 && count(1) == 0 && count(2) == 0 && count(3) == 0
}

// cutUDPUpdate reports whether r, an UPDATE, may be the first 512 bytes of
// a longer one that miekg/dns unpacked up to an RR boundary. A TSIG RR is
// the last RR of a message, so a signed one arrived whole. An unsigned
// one may have lost its TSIG RR when the bytes it fills reach the read
// size; its uncompressed length is at least its length on the wire.
func cutUDPUpdate(w dns.ResponseWriter, r *dns.Msg) bool {
	state := request.Request{W: w, Req: r}
	if r.IsTsig() != nil || state.Proto() != "udp" {
		return false
	}
	plain := *r
	plain.Compress = false
	return plain.Len() >= dns.MinMsgSize
}

// retryOverTCP answers r with FORMERR and TC set: a client that honours TC
// sends it again over TCP, one that does not sees a failure, never a
// success for an UPDATE that was not applied.
func retryOverTCP(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetRcode(r, dns.RcodeFormatError)
	m.Truncated = true
	w.WriteMsg(m)
	udpRetryTotal.WithLabelValues(metrics.WithServer(ctx), retryCut).Inc()
}
