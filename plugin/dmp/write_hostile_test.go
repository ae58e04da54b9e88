package dmp

import (
	"encoding/binary"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// hostile is one malformed packet for the node.
type hostile struct {
	name string
	wire []byte
}

func header(flags, qd, an, ns, ar uint16) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint16(b[0:], 0x4d50)
	binary.BigEndian.PutUint16(b[2:], flags)
	binary.BigEndian.PutUint16(b[4:], qd)
	binary.BigEndian.PutUint16(b[6:], an)
	binary.BigEndian.PutUint16(b[8:], ns)
	binary.BigEndian.PutUint16(b[10:], ar)
	return b
}

// qwire is the question example.org TXT class c in wire form.
func qwire(c uint16) []byte {
	b := []byte("\x07example\x03org\x00")
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, dns.TypeTXT), c)
}

func packed(t *testing.T, m *dns.Msg) []byte {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chunkUpdate is an UPDATE of example.org adding a chunk, then changed by
// mutate unless it is nil: the base of updateWire and signedWire.
func chunkUpdate(t *testing.T, mutate func(*dns.Msg)) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{txtAdd("chunk-0001-0123456789ab.example.org.", chunkValue(t, 1))})
	if mutate != nil {
		mutate(m)
	}
	return m
}

func updateWire(t *testing.T, mutate func(*dns.Msg)) []byte {
	t.Helper()
	return packed(t, chunkUpdate(t, mutate))
}

// signedWire is chunkUpdate(mutate) signed now by alice with nodeKeySecret.
func signedWire(t *testing.T, mutate func(*dns.Msg)) []byte {
	t.Helper()
	m := chunkUpdate(t, mutate)
	wire, _ := signAs(t, "alice.example.org.", nodeKeySecret, m, time.Now())
	return wire
}

// hostilePackets builds the table: truncations, bad counts, bad names,
// wrong classes and opcodes, broken UPDATE and TSIG records, huge RRsets.
func hostilePackets(t *testing.T) []hostile {
	q := new(dns.Msg)
	q.SetQuestion("example.org.", dns.TypeTXT)
	query := packed(t, q)
	upd := updateWire(t, nil)
	sig := signedWire(t, nil)
	query0 := header(0, 1, 0, 0, 0)

	var out []hostile
	for _, n := range []int{0, 1, 2, 5, 11, 13, 20, len(query) - 1} {
		out = append(out, hostile{"truncated query " + strconv.Itoa(n), query[:n]})
	}
	for _, n := range []int{12, 30, len(upd) / 2, len(upd) - 3} {
		out = append(out, hostile{"truncated update " + strconv.Itoa(n), upd[:n]})
	}
	out = append(out, hostile{"truncated TSIG", sig[:len(sig)-10]})
	out = append(out,
		hostile{"question count without question", header(0, 1, 0, 0, 0)},
		hostile{"no question", header(0, 0, 0, 0, 0)},
		hostile{"two questions", append(append(header(0, 2, 0, 0, 0), qwire(1)...), qwire(1)...)},
		hostile{"answer count 65535", append(header(0, 1, 65535, 0, 0), qwire(1)...)},
		hostile{"additional count 65535", append(header(0, 1, 0, 0, 65535), qwire(1)...)},
		hostile{"compression self loop", append(append(query0, 0xc0, 0x0c), 0, 16, 0, 1)},
		hostile{"compression two-step loop",
			append(append(query0, 1, 'a', 0xc0, 0x0c), 0, 16, 0, 1)},
		hostile{"pointer past the end", append(append(query0, 0xc3, 0xff), 0, 16, 0, 1)},
		hostile{"label of 64", append(append(query0, 64), make([]byte, 70)...)},
		hostile{"name over 255", append(append(query0, []byte(strings.Repeat("\x3f"+
			strings.Repeat("a", 63), 5))...), 0, 0, 16, 0, 1)},
		hostile{"class CH", append(header(0, 1, 0, 0, 0), qwire(dns.ClassCHAOS)...)},
		hostile{"class HS", append(header(0, 1, 0, 0, 0), qwire(dns.ClassHESIOD)...)},
		hostile{"class NONE", append(header(0, 1, 0, 0, 0), qwire(dns.ClassNONE)...)},
		hostile{"class ANY", append(header(0, 1, 0, 0, 0), qwire(dns.ClassANY)...)},
		hostile{"response bit", append(header(0x8000, 1, 0, 0, 0), qwire(1)...)},
	)
	for _, op := range []uint16{1, 2, 3, 15} {
		out = append(out, hostile{"opcode " + strconv.Itoa(int(op)),
			append(header(op<<11, 1, 0, 0, 0), qwire(1)...)})
	}
	return append(out, hostileUpdates(t, upd, sig)...)
}

// hostileUpdates are malformed UPDATE messages.
func hostileUpdates(t *testing.T, upd, sig []byte) []hostile {
	withCount := func(b []byte, off int, v uint16) []byte {
		c := append([]byte(nil), b...)
		binary.BigEndian.PutUint16(c[off:], v)
		return c
	}
	tsigFirst := func(m *dns.Msg) {
		m.SetTsig("alice.example.org.", dns.HmacSHA256, 300, time.Now().Unix())
		m.Extra = append(m.Extra, &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}})
		m.Extra[0].(*dns.TSIG).MAC = strings.Repeat("ab", 32)
		m.Extra[0].(*dns.TSIG).MACSize = 32
	}
	badMAC := append([]byte(nil), sig...)
	binary.BigEndian.PutUint16(badMAC[len(badMAC)-46:], 0xffff) // MAC size beyond the record
	huge := func(m *dns.Msg) {
		for i := range 2000 {
			m.Ns = append(m.Ns, txtAdd("chunk-0001-0123456789ab.example.org.", strconv.Itoa(i)))
		}
	}
	// The update RR's owner name starts at offset 29, after the header and
	// the zone (13-byte name, type, class).
	updLoop := func(name ...byte) []byte {
		b := append(header(dns.OpcodeUpdate<<11, 1, 0, 1, 0), qwire(dns.ClassINET)...)
		binary.BigEndian.PutUint16(b[len(b)-4:], dns.TypeSOA)
		b = append(b, name...)
		return append(b, 0, 16, 0, 1, 0, 0, 1, 44, 0, 2, 1, 'x') // TXT IN 300 "x"
	}
	rng := rand.New(rand.NewPCG(5, 5))
	random := make([]byte, 400)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	copy(random, upd[:12])

	return []hostile{
		{"update zone count 0", withCount(upd, 4, 0)},
		{"update zone count 2", withCount(upd, 4, 2)},
		{"update count beyond data", withCount(upd, 8, 40)},
		{"update zone type A", updateWire(t, func(m *dns.Msg) { m.Question[0].Qtype = dns.TypeA })},
		{"update zone class CH", updateWire(t, func(m *dns.Msg) { m.Question[0].Qclass = 3 })},
		{"update other zone", updateWire(t, func(m *dns.Msg) { m.Question[0].Name = "org." })},
		{"update TSIG not last", updateWire(t, tsigFirst)},
		{"update TSIG MAC size overflow", badMAC},
		{"update huge RRset", updateWire(t, huge)},
		{"signed update huge RRset", hugeSigned(t)},
		{"update compression self loop", updLoop(0xc0, 29)},
		{"update compression two-step loop", updLoop(1, 'a', 0xc0, 29)},
		{"update add of type ANY", updateWire(t, func(m *dns.Msg) {
			m.Ns = []dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: "a.example.org.",
				Rrtype: dns.TypeANY, Class: dns.ClassINET}}}
		})},
		{"update prerequisite TTL", updateWire(t, func(m *dns.Msg) {
			m.Answer = []dns.RR{txtAdd("a.example.org.", "x")}
		})},
		{"update two OPT records", updateWire(t, func(m *dns.Msg) {
			m.SetEdns0(1232, false)
			m.SetEdns0(1232, false)
			m.Extra = append(m.Extra, m.Extra[0])
		})},
		{"update EDNS version 1", updateWire(t, func(m *dns.Msg) {
			m.SetEdns0(1232, false)
			m.IsEdns0().SetVersion(1)
		})},
		{"update random body", random},
		{"all ones", []byte(strings.Repeat("\xff", 512))},
	}
}

// hugeSigned is an UPDATE of 1000 adds at one owner with a valid TSIG, so
// the node's verifier must hash the whole message; it fits one TCP
// message. The hostile table checks that the node survives it.
func hugeSigned(t *testing.T) []byte {
	t.Helper()
	const owner = "chunk-0001-0123456789ab.example.org."
	b := signedWire(t, func(m *dns.Msg) {
		m.Ns = nil // the 1000 adds replace the chunk
		for i := range 1000 {
			m.Insert([]dns.RR{txtAdd(owner, strconv.Itoa(i))})
		}
	})
	if len(b) > 65535 {
		t.Fatalf("signed huge RRset is %d bytes, over one TCP message", len(b))
	}
	return b
}

// panicLog is what CoreDNS logs when it recovers from a panic in a
// plugin (core/dnsserver/server.go), which would otherwise hide one.
const panicLog = "Recovered from panic"

// TestNodeHostilePackets sends every hostile packet over UDP and TCP to a
// real node and checks it keeps answering and never panicked.
func TestNodeHostilePackets(t *testing.T) {
	n := startWriteNode(t)
	packets := hostilePackets(t)
	if len(packets) < 40 {
		t.Fatalf("got %d hostile packets, want at least 40", len(packets))
	}
	for _, p := range packets {
		t.Run(p.name, func(t *testing.T) {
			sendRaw(t, "udp", n.Addr, p.wire)
			sendRaw(t, "tcp", n.Addr, p.wire)
			m := new(dns.Msg)
			m.SetQuestion("example.org.", dns.TypeSOA)
			if r, err := n.Exchange(m, "udp"); err != nil || r.Rcode != dns.RcodeSuccess {
				t.Fatalf("node stopped answering: %v, %v", r, err)
			}
			if strings.Contains(n.Output(), panicLog) {
				t.Fatalf("the node panicked on this packet:\n%s", n.Output())
			}
		})
	}
}

// sendRaw sends wire and waits briefly for any reply; silence is fine.
func sendRaw(t *testing.T, network, addr string, wire []byte) {
	t.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(300 * time.Millisecond))
	if network == "tcp" {
		if len(wire) > 65535 {
			wire = wire[:65535]
		}
		wire = append(binary.BigEndian.AppendUint16(nil, uint16(len(wire))), wire...)
	}
	if _, err := conn.Write(wire); err != nil {
		return
	}
	buf := make([]byte, 65535)
	conn.Read(buf)
}
