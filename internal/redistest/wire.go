package redistest

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// endpoint is how the helper's own connections reach a server.
type endpoint struct {
	addr     string
	tls      *tls.Config // nil for plain TCP
	password string      // sent with AUTH first when set
}

// endpoint returns how to reach s.
func (s *Server) endpoint() endpoint {
	return endpoint{addr: s.Addr(), tls: s.TLSConfig(), password: s.password}
}

// plain is an endpoint without TLS or password.
func plain(addr string) endpoint { return endpoint{addr: addr} }

// dial connects to e and authenticates.
func (e endpoint) dial() (net.Conn, *bufio.Reader, error) {
	c, err := net.DialTimeout("tcp", e.addr, time.Second)
	if err != nil {
		return nil, nil, err
	}
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if e.tls != nil {
		tc := tls.Client(c, e.tls)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("tls handshake: %w", err)
		}
		c = tc
	}
	r := bufio.NewReader(c)
	if e.password == "" {
		return c, r, nil
	}
	reply, err := send(c, r, "AUTH", e.password)
	if err == nil && reply != "+OK" {
		err = fmt.Errorf("AUTH: %s", reply)
	}
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, r, nil
}

// send writes one command as a RESP array and returns the first reply
// line.
func send(c net.Conn, r *bufio.Reader, args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, b.String()); err != nil {
		return "", err
	}
	reply, err := r.ReadString('\n')
	return strings.TrimRight(reply, "\r\n"), err
}

// command sends one command (space-separated words) to e and returns the
// first reply line.
func command(e endpoint, line string) (string, error) {
	c, r, err := e.dial()
	if err != nil {
		return "", err
	}
	defer c.Close()
	return send(c, r, strings.Fields(line)...)
}

// bulk sends one command whose reply is a bulk string and returns its
// body.
func bulk(e endpoint, line string) (string, error) {
	c, r, err := e.dial()
	if err != nil {
		return "", err
	}
	defer c.Close()
	head, err := send(c, r, strings.Fields(line)...)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(head, "$"))
	if err != nil || n < 0 {
		return "", fmt.Errorf("unexpected reply %q", head)
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(r, body); err != nil {
		return "", err
	}
	return string(body[:n]), nil
}

// waitPing polls e with PING until it answers +PONG, the process exits,
// or startTimeout passes.
func waitPing(e endpoint, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	var last error
	for {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited")
		default:
		}
		reply, err := command(e, "PING")
		if err == nil && reply == "+PONG" {
			return nil
		}
		last = cmpErr(err, reply)
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG from %s within %v: %v", e.addr, startTimeout, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func cmpErr(err error, reply string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("reply %q", reply)
}
