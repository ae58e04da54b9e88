package dmp

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestNodeRepliesBeforeDmp pins the replies miekg/dns and CoreDNS send
// before dmp sees a request, as the README lists them: an UPDATE whose
// zone count is not 1 gets a bare 12-byte FORMERR with opcode QUERY and
// no OPT record even with EDNS (no extended error: nothing can tell it
// from the same reply to a QUERY); a header claiming an absent question
// gets SERVFAIL; a question cut in its name or type FORMERR; one cut
// before its class reads as class 0 and gets REFUSED.
func TestNodeRepliesBeforeDmp(t *testing.T) {
	n := startSignedNode(t)
	opt := []byte{0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0} // OPT, 1232 bytes
	zone := append([]byte("\x07example\x03org\x00"), 0, byte(dns.TypeSOA), 0, 1)
	update := uint16(dns.OpcodeUpdate) << 11
	cases := []struct {
		name          string
		wire          []byte
		rcode, qd, ln int // ln 0: any length
	}{
		{"update, no zone, EDNS", cat(header(update, 0, 0, 0, 1), opt),
			dns.RcodeFormatError, 0, 12},
		{"update, two zones, EDNS", cat(header(update, 2, 0, 0, 1), zone, zone, opt),
			dns.RcodeFormatError, 0, 12},
		{"query, question claimed and absent", header(0, 1, 0, 0, 0),
			dns.RcodeServerFailure, 0, 12},
		{"query, name cut", cat(header(0, 1, 0, 0, 0), []byte("\x07exam")),
			dns.RcodeFormatError, 0, 12},
		{"query, type cut", cat(header(0, 1, 0, 0, 0), []byte("\x07example\x03org\x00\x00")),
			dns.RcodeFormatError, 0, 12},
		{"query, class missing", cat(header(0, 1, 0, 0, 0),
			[]byte("\x07example\x03org\x00\x00\x10")), dns.RcodeRefused, 1, 0},
	}
	for _, c := range cases {
		b := udpReply(t, n.Addr, c.wire)
		flags := binary.BigEndian.Uint16(b[2:])
		rcode, opcode := int(flags&0xf), int(flags>>11&0xf)
		qd := int(binary.BigEndian.Uint16(b[4:]))
		if rcode != c.rcode || opcode != dns.OpcodeQuery || qd != c.qd ||
			(c.ln != 0 && len(b) != c.ln) {
			t.Errorf("%s: got %s opcode %d, %d questions, %d bytes; want %s opcode QUERY, "+
				"%d questions, %d bytes", c.name, dns.RcodeToString[rcode], opcode, qd,
				len(b), dns.RcodeToString[c.rcode], c.qd, c.ln)
		}
	}
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// udpReply sends wire in one datagram and returns the reply's bytes.
func udpReply(t *testing.T, addr string, wire []byte) []byte {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	k, err := conn.Read(buf)
	if err != nil || k < 12 {
		t.Fatalf("reply to %x: %d bytes, %v", wire, k, err)
	}
	return buf[:k]
}
