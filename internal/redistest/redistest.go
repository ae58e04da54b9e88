// Package redistest runs real redis-server processes for tests: a
// standalone server that can be stopped, killed and restarted on the same
// port (to show a node failing while Redis is down and recovering after),
// optionally with a password (requirepass) and TLS only (certificates
// made with crypto/x509 for the test); a three-master Redis Cluster (to
// prove the store's hash-tag layout, DECISIONS N13); and a Sentinel
// deployment that can fail over (DECISIONS N9).
//
// The binaries come from Debian (redis-server, redis-tools); Debian 12's
// redis-server 7.0 is built with TLS and runs Sentinel with --sentinel.
// When redis-server is missing, tests are skipped with the reason, unless
// the environment has CI=true, in which case they fail.
package redistest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/proctest"
)

// startTimeout bounds how long a server may take to answer PING.
const startTimeout = 10 * time.Second

// Server is one redis-server process on a loopback port, owned by a test.
type Server struct {
	t    testing.TB
	dir  string
	port int
	args []string

	password string
	certs    *certs // nil without TLS

	mu    sync.Mutex
	cmd   *exec.Cmd
	log   *os.File
	waitc chan struct{} // closed when the process has exited
}

// Options configure a standalone server.
type Options struct {
	// Password sets requirepass; the helper's own connections send AUTH.
	Password string
	// TLS serves TLS only (the plain port is closed), with a certificate
	// for 127.0.0.1 and localhost signed by a CA made for this server.
	TLS bool
}

// Start runs redis-server on a free loopback port with its files in a
// temporary directory and returns once it answers PING. Data is kept in
// an append-only file, so Restart brings back what was written. The
// server is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with a password or TLS.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	bin := need(t, "redis-server")
	dir := t.TempDir()
	var pki *certs
	if o.TLS {
		var err error
		if pki, err = makeCerts(dir); err != nil {
			t.Fatalf("redistest: %v", err)
		}
	}
	return launch(t, dir, false, func(s *Server) error {
		s.password, s.certs = o.Password, pki
		s.args = []string{bin, "--bind", "127.0.0.1", "--dir", dir, "--save", "",
			"--appendonly", "yes", "--appendfsync", "everysec", "--protected-mode", "no"}
		s.args = append(s.args, s.listenArgs()...)
		return nil
	})
}

// launch starts a redis-server in dir on a free loopback port, trying a
// few ports in case another process takes one first, and stops it when
// the test ends. With bus set, the port 10000 above (Redis Cluster's bus)
// must be free too. build fills in s.args and any option for s.port.
func launch(t testing.TB, dir string, bus bool, build func(s *Server) error) *Server {
	t.Helper()
	var also func(int) bool
	if bus {
		also = func(port int) bool { return proctest.TCPFree(port + 10000) }
	}
	var lastErr error
	for range 5 {
		port, err := proctest.FreePort(also)
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		s := &Server{t: t, dir: dir, port: port}
		if err := build(s); err != nil {
			t.Fatalf("redistest: %v", err)
		}
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("redistest: start redis-server in %s: %v", dir, lastErr)
	return nil
}

// listenArgs are the port, password and TLS arguments of s.
func (s *Server) listenArgs() []string {
	port := strconv.Itoa(s.port)
	args := []string{"--port", port}
	if s.password != "" {
		args = append(args, "--requirepass", s.password)
	}
	if s.certs != nil {
		args = []string{"--port", "0", "--tls-port", port,
			"--tls-cert-file", s.certs.certFile, "--tls-key-file", s.certs.keyFile,
			"--tls-ca-cert-file", s.certs.caFile, "--tls-auth-clients", "no"}
		if s.password != "" {
			args = append(args, "--requirepass", s.password)
		}
	}
	return args
}

// URL returns the go-redis URL of the server: rediss:// with TLS, and the
// password in the user information when there is one.
func (s *Server) URL() string {
	scheme := "redis://"
	if s.certs != nil {
		scheme = "rediss://"
	}
	auth := ""
	if s.password != "" {
		auth = ":" + url.QueryEscape(s.password) + "@"
	}
	return scheme + auth + s.Addr()
}

// CAFile returns the PEM file of the CA that signed the server's
// certificate, or "" without TLS.
func (s *Server) CAFile() string {
	if s.certs == nil {
		return ""
	}
	return s.certs.caFile
}

// TLSConfig returns a client configuration that trusts the server's CA,
// or nil without TLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.certs == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.certs.pool, ServerName: "127.0.0.1",
		MinVersion: tls.VersionTLS12}
}

// Addr returns host:port of the server.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir returns the server's working directory.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down cleanly (SIGTERM) and waits for it to exit.
// Stopping a stopped server does nothing.
func (s *Server) Stop() { s.halt(syscall.SIGTERM) }

// Kill ends the server with SIGKILL, as a crash would.
func (s *Server) Kill() { s.halt(syscall.SIGKILL) }

// Restart stops the server if it runs and starts it again on the same
// port with the same data directory, returning once it answers PING.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	deadline := time.Now().Add(startTimeout)
	for {
		err := s.start()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redistest: restart on port %d: %v", s.port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	log, err := os.OpenFile(filepath.Join(s.dir, "redis.log"),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	cmd := exec.Command(s.args[0], s.args[1:]...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("exec %s: %w", s.args[0], err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()

	if err := waitPing(s.endpoint(), exited); err != nil {
		proctest.Halt(cmd.Process, exited, syscall.SIGKILL, startTimeout)
		log.Close()
		return fmt.Errorf("%w (%v); log:\n%s", err, cmd.ProcessState,
			tail(filepath.Join(s.dir, "redis.log")))
	}
	s.cmd, s.log, s.waitc = cmd, log, exited
	return nil
}

func (s *Server) halt(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	proctest.Halt(s.cmd.Process, s.waitc, sig, startTimeout)
	s.log.Close()
	s.cmd, s.log, s.waitc = nil, nil, nil
}

// need returns the path of a Debian tool or ends the test: skip, or fail
// when CI=true.
func need(t testing.TB, name string) string {
	t.Helper()
	return proctest.NeedTool(t, name, "apt-get install -y redis-server redis-tools")
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
