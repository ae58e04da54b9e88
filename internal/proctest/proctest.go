// Package proctest holds what the process-starting test helpers
// (internal/nodetest for coredns-dmp, internal/redistest for redis-server)
// share: finding a required tool under the CI=true rule of the common
// brief, picking free loopback ports, and stopping a child process with a
// signal and a grace period.
package proctest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// NeedTool returns the path of a command-line tool. When it is missing the
// test is skipped with the reason, or fails when the environment sets
// CI=true, where every tool must be installed. install, when not empty,
// says how to install it.
func NeedTool(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not installed: %v", name, err)
	if install != "" {
		msg += " (" + install + ")"
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; it is required under CI=true", msg)
	}
	t.Skip(msg)
	return ""
}

// FreePort finds a loopback TCP port that is free now and for which also,
// when not nil, reports true (for example UDPFree). Another process may
// take the port before the caller binds it; callers retry or accept that
// small race.
func FreePort(also func(port int) bool) (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if also == nil || also(port) {
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free loopback port found")
}

// UDPFree reports whether UDP port is free on 127.0.0.1.
func UDPFree(port int) bool {
	u, err := net.ListenPacket("udp", hostPort(port))
	if err != nil {
		return false
	}
	u.Close()
	return true
}

// TCPFree reports whether TCP port is a valid port and free on 127.0.0.1.
func TCPFree(port int) bool {
	if port <= 0 || port > 65535 {
		return false
	}
	l, err := net.Listen("tcp", hostPort(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// Halt sends sig to p and waits until exited is closed or receives; when
// grace passes first, it kills p and waits again. A process that has
// already exited is left alone.
func Halt[T any](p *os.Process, exited <-chan T, sig syscall.Signal, grace time.Duration) {
	select {
	case <-exited:
		return
	default:
	}
	p.Signal(sig)
	select {
	case <-exited:
	case <-time.After(grace):
		p.Kill()
		<-exited
	}
}
