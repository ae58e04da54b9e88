package dmp

import (
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// proxy relays DNS over UDP and TCP from a loopback port to a target,
// holding every request back by delay first and keeping a copy of each
// request message as the client sent it.
type proxy struct {
	addr   string // UDP and TCP address (the same port for both)
	target string
	delay  time.Duration

	mu   sync.Mutex
	sent []sentMsg
}

// sentMsg is one request message seen by a proxy, without the TCP length.
type sentMsg struct {
	network string
	wire    []byte
}

// startProxy starts a proxy to target. It stops when the test ends.
func startProxy(t *testing.T, target string, delay time.Duration) *proxy {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			pc.Close() // the TCP port is taken: try another
			continue
		}
		t.Cleanup(func() { pc.Close(); l.Close() })
		p := &proxy{addr: l.Addr().String(), target: target, delay: delay}
		go p.relayUDP(pc)
		go p.relayTCP(l)
		return p
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return nil
}

// record keeps a copy of one request message.
func (p *proxy) record(network string, wire []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, sentMsg{network, append([]byte(nil), wire...)})
}

// requests returns the request messages seen so far, in arrival order.
func (p *proxy) requests() []sentMsg {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sentMsg(nil), p.sent...)
}

// relayUDP relays each datagram to the target after the delay and its
// answer back.
func (p *proxy) relayUDP(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return // closed at the end of the test
		}
		pkt := append([]byte(nil), buf[:n]...)
		p.record("udp", pkt)
		go func() {
			time.Sleep(p.delay)
			c, err := net.Dial("udp", p.target)
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(pkt); err != nil {
				return
			}
			reply := make([]byte, 65535)
			if k, err := c.Read(reply); err == nil {
				pc.WriteTo(reply[:k], from)
			}
		}()
	}
}

// relayTCP accepts connections, waits the delay, then joins each to the
// target; what the client sent meanwhile waits in the socket.
func (p *proxy) relayTCP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return // closed at the end of the test
		}
		go func() {
			defer c.Close()
			time.Sleep(p.delay)
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer u.Close()
			go func() {
				p.copyMessages(u, c)
				u.Close()
			}()
			io.Copy(c, u)
		}()
	}
}

// copyMessages copies length-prefixed DNS messages from src to dst,
// recording each, until src ends or a write fails.
func (p *proxy) copyMessages(dst io.Writer, src io.Reader) {
	for {
		var n [2]byte
		if _, err := io.ReadFull(src, n[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(src, msg); err != nil {
			return
		}
		p.record("tcp", msg)
		if _, err := dst.Write(append(n[:], msg...)); err != nil {
			return
		}
	}
}
