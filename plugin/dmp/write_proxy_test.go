package dmp

import (
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// startDelayProxy forwards DNS over UDP and TCP from a loopback port to
// target, holding every request back by delay first, and returns its
// address (the same port for both). It stops when the test ends.
func startDelayProxy(t *testing.T, target string, delay time.Duration) string {
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
		go delayUDP(pc, target, delay)
		go delayTCP(l, target, delay)
		return l.Addr().String()
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

// delayUDP relays each datagram to target after delay and its answer back.
func delayUDP(pc net.PacketConn, target string, delay time.Duration) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return // closed at the end of the test
		}
		pkt := append([]byte(nil), buf[:n]...)
		go func() {
			time.Sleep(delay)
			c, err := net.Dial("udp", target)
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

// delayTCP accepts connections, waits delay, then joins each to target;
// what the client sent meanwhile waits in the socket.
func delayTCP(l net.Listener, target string, delay time.Duration) {
	for {
		c, err := l.Accept()
		if err != nil {
			return // closed at the end of the test
		}
		go func() {
			defer c.Close()
			time.Sleep(delay)
			u, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer u.Close()
			go func() {
				io.Copy(u, c)
				u.Close()
			}()
			io.Copy(c, u)
		}()
	}
}
