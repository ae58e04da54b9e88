package dmp

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin/test"
	"github.com/miekg/dns"
)

// bigUpdate is a signed UPDATE of about 1 KB, more than one UDP read of
// CoreDNS holds.
func bigUpdate(t *testing.T) []byte {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{txtAdd("slot-1.mb-0123456789ab.example.org.",
		strings.Repeat("A", 255), strings.Repeat("B", 255), strings.Repeat("C", 255))})
	m.SetEdns0(1232, false)
	wire, _ := signAs(t, wKey, wSecret, m, t0)
	return wire
}

// What miekg/dns makes of a cut UPDATE, for every cut length: unpacking
// fails (the reply the UDP writer flags), or the cut fell on an RR
// boundary and the message unpacks without its TSIG RR, at an uncompressed
// length of at least the bytes read, which cutUDPUpdate catches at 512.
// If a miekg/dns upgrade changes either, this fails.
func TestCutUpdateUnpacking(t *testing.T) {
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{
		txtAdd("slot-1.mb-0123456789ab.example.org.", strings.Repeat("A", 255)),
		txtAdd("slot-2.mb-0123456789ab.example.org.", strings.Repeat("B", 200)),
		txtAdd("slot-3.mb-0123456789ab.example.org.", strings.Repeat("C", 100)),
	})
	m.SetEdns0(1232, false)
	m.Compress = true // as clients send it
	wire, _ := signAs(t, wKey, wSecret, m, t0)

	boundaries := 0
	for cut := 13; cut < len(wire); cut++ {
		got := new(dns.Msg)
		if err := got.Unpack(wire[:cut]); err != nil {
			continue
		}
		boundaries++
		if got.IsTsig() != nil || got.Len() < cut {
			t.Fatalf("cut at %d: unpacked with tsig=%v, uncompressed %d bytes; "+
				"want no TSIG and at least %d bytes", cut, got.IsTsig() != nil, got.Len(), cut)
		}
	}
	// The question, the three updates and the OPT RR end on boundaries.
	if boundaries < 5 {
		t.Fatalf("got %d cuts that unpack, want at least 5 (RR boundaries)", boundaries)
	}
}

func TestCutUDPUpdate(t *testing.T) {
	unsigned := new(dns.Msg)
	unsigned.SetUpdate("example.org.")
	unsigned.Insert([]dns.RR{txtAdd("slot-1.mb-0123456789ab.example.org.",
		strings.Repeat("A", 255), strings.Repeat("B", 200))})
	small := new(dns.Msg)
	small.SetUpdate("example.org.")
	small.Insert([]dns.RR{txtAdd("slot-1.mb-0123456789ab.example.org.", "v=dmp1")})
	signed := unsigned.Copy()
	signed.SetTsig(wKey, dns.HmacSHA256, 300, t0.Unix())

	cases := []struct {
		name string
		m    *dns.Msg
		tcp  bool
		want bool
	}{
		{"unsigned, 512 bytes or more, UDP", unsigned, false, true},
		{"unsigned, 512 bytes or more, TCP", unsigned, true, false},
		{"signed, UDP", signed, false, false},
		{"unsigned, small, UDP", small, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := &test.ResponseWriter{TCP: c.tcp}
			if got := cutUDPUpdate(w, c.m); got != c.want {
				t.Fatalf("got %v, want %v (%d bytes)", got, c.want, c.m.Len())
			}
		})
	}
}

// A possibly cut UPDATE is answered FORMERR with TC and the UPDATE opcode,
// and never reaches the write side (which is not started here).
func TestServeCutUpdate(t *testing.T) {
	d := New()
	d.Zones = []string{"example.org."}
	r := new(dns.Msg)
	r.SetUpdate("example.org.")
	r.Insert([]dns.RR{txtAdd("slot-1.mb-0123456789ab.example.org.",
		strings.Repeat("A", 255), strings.Repeat("B", 255))})
	w := &wireWriter{}
	code, err := d.ServeDNS(context.Background(), w, r)
	if err != nil || code != dns.RcodeSuccess || w.msg == nil {
		t.Fatalf("got %d, %v, reply %v", code, err, w.msg)
	}
	if !w.msg.Truncated || w.msg.Rcode != dns.RcodeFormatError ||
		w.msg.Opcode != dns.OpcodeUpdate || w.msg.Id != r.Id {
		t.Fatalf("got %v, want an UPDATE FORMERR with TC", w.msg)
	}
}

func TestUnreadableReply(t *testing.T) {
	query := new(dns.Msg)
	query.SetQuestion("example.org.", dns.TypeTXT)
	upd := new(dns.Msg)
	upd.SetUpdate("example.org.")

	miekgFormErr := new(dns.Msg).SetRcodeFormatError(upd)
	miekgFormErr.Question = upd.Question
	headerReject := new(dns.Msg).SetRcodeFormatError(upd) // no question
	updFormErr := new(dns.Msg).SetRcode(upd, dns.RcodeFormatError)
	signedFormErr := new(dns.Msg).SetRcodeFormatError(upd)
	signedFormErr.Question = upd.Question
	signedFormErr.SetTsig(wKey, dns.HmacSHA256, 300, t0.Unix())
	queryOK := new(dns.Msg).SetReply(query)
	alreadyTC := miekgFormErr.Copy()
	alreadyTC.Truncated = true

	cases := []struct {
		name string
		m    *dns.Msg
		want bool
	}{
		{"miekg FORMERR after a failed unpack", miekgFormErr, true},
		{"miekg FORMERR on the header alone", headerReject, false},
		{"dmp FORMERR to an UPDATE", updFormErr, false},
		{"FORMERR with a TSIG", signedFormErr, false},
		{"NOERROR answer", queryOK, false},
		{"TC already set", alreadyTC, false},
		{"a request", query, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.m.Pack()
			if err != nil {
				t.Fatal(err)
			}
			if got := unreadableReply(b); got != c.want {
				t.Fatalf("got %v, want %v for\n%v", got, c.want, c.m)
			}
		})
	}
	if unreadableReply([]byte{0, 1, 0x80, 1}) {
		t.Fatal("got true for a 4-byte reply, want false")
	}
}

// countingWriter counts the writes a decorator passes down.
type countingWriter struct {
	dns.Writer
	n *atomic.Int32
}

func (w countingWriter) Write(b []byte) (int, error) {
	w.n.Add(1)
	return w.Writer.Write(b)
}

// udpServer runs a miekg/dns UDP server as CoreDNS v1.15 configures it
// (no UDPSize, UPDATE accepted) with cfg's writer decorator, and counts
// the requests that reach its handler.
func udpServer(t *testing.T, cfg *dnsserver.Config) (addr string, handled *atomic.Int32) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handled = new(atomic.Int32)
	srv := &dns.Server{PacketConn: pc,
		DecorateWriter: cfg.UDPDecorateWriterFunc(&dnsserver.Server{Addr: "dns://test"}),
		MsgAcceptFunc:  func(dns.Header) dns.MsgAcceptAction { return dns.MsgAccept },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
			handled.Add(1)
			w.WriteMsg(new(dns.Msg).SetRcode(r, dns.RcodeSuccess))
		})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String(), handled
}

func udpExchange(t *testing.T, addr string, wire []byte) *dns.Msg {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	k, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(buf[:k]); err != nil {
		t.Fatal(err)
	}
	return r
}

// Through miekg/dns's own UDP server: an UPDATE over 512 bytes never
// reaches the handler and its FORMERR comes back with TC; one that fits is
// handled and answered without TC. A decorator set before dmp's still
// sees every reply.
func TestDecorateUDP(t *testing.T) {
	cfg := &dnsserver.Config{}
	var inner atomic.Int32
	cfg.UDPDecorateWriterFunc = func(*dnsserver.Server) dns.DecorateWriter {
		return func(w dns.Writer) dns.Writer { return countingWriter{Writer: w, n: &inner} }
	}
	decorateUDP(cfg)
	addr, handled := udpServer(t, cfg)

	r := udpExchange(t, addr, bigUpdate(t))
	if !r.Truncated || r.Rcode != dns.RcodeFormatError || handled.Load() != 0 {
		t.Fatalf("big: got rcode %s tc=%v handled=%d, want FORMERR, TC, not handled",
			dns.RcodeToString[r.Rcode], r.Truncated, handled.Load())
	}

	small := new(dns.Msg)
	small.SetUpdate("example.org.")
	small.Insert([]dns.RR{txtAdd("chunk-0001-0123456789ab.example.org.", "v=dmp1;t=chunk")})
	wire, err := small.Pack()
	if err != nil {
		t.Fatal(err)
	}
	r = udpExchange(t, addr, wire)
	if r.Truncated || r.Rcode != dns.RcodeSuccess || handled.Load() != 1 {
		t.Fatalf("small: got rcode %s tc=%v handled=%d, want NOERROR, no TC, handled",
			dns.RcodeToString[r.Rcode], r.Truncated, handled.Load())
	}
	if got := inner.Load(); got != 2 {
		t.Fatalf("earlier decorator saw %d replies, want 2", got)
	}
}
