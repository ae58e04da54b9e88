// Package nodetest runs a real coredns-dmp process for integration tests.
//
// The binary is built once per test process with `go build` into a
// temporary directory. Start writes a Corefile, picks free loopback ports,
// starts the node in its own working directory and waits until it answers
// a DNS query over UDP. The node is killed when the test ends; its stderr
// is kept for failure messages.
//
// Corefile placeholders, replaced before the node starts:
//
//	{{PORT}}  a free port for DNS (UDP and TCP), also in Node.Addr
//	{{HTTP}}  a second free port, for an HTTP listener, also in Node.HTTP
//	{{DIR}}   the node's working directory, which survives Restart
package nodetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/proctest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"

	"github.com/miekg/dns"
)

// Package is the import path of the binary under test.
const Package = "github.com/dnsmesh/dmp/cmd/coredns-dmp"

// How long a node may take to answer its first query after starting.
const startTimeout = 20 * time.Second

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Binary returns the path of coredns-dmp, building it on first use.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nodetest-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "coredns-dmp")
		out, err := exec.Command("go", "build", "-o", buildPath, Package).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build %s: %v\n%s", Package, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// Node is one running coredns-dmp process.
type Node struct {
	Addr string // DNS address, 127.0.0.1:port, UDP and TCP
	HTTP string // the {{HTTP}} address, 127.0.0.1:port
	Dir  string // working directory; the Corefile lives here

	t      testing.TB
	cmd    *exec.Cmd
	exited chan struct{}
	stderr *lockedBuffer
}

// Start runs coredns-dmp with corefile and waits until it answers. The node
// is killed at the end of the test.
func Start(t testing.TB, corefile string) *Node {
	t.Helper()
	return StartIn(t, t.TempDir(), corefile)
}

// StartIn is Start with dir as the node's working directory, so a test can
// prepare files there first, such as an embedded store holding TSIG keys
// (see PutKeys).
func StartIn(t testing.TB, dir, corefile string) *Node {
	t.Helper()
	bin := Binary(t)
	n := &Node{t: t, Dir: dir}
	dnsPort, httpPort := freePort(t, true), freePort(t, false)
	n.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(dnsPort))
	n.HTTP = net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))

	text := strings.NewReplacer(
		"{{PORT}}", strconv.Itoa(dnsPort),
		"{{HTTP}}", strconv.Itoa(httpPort),
		"{{DIR}}", n.Dir,
	).Replace(corefile)
	if err := os.WriteFile(filepath.Join(n.Dir, "Corefile"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		n.Kill()
		if t.Failed() {
			t.Logf("coredns-dmp output:\n%s", n.Output())
		}
	})
	n.start(bin)
	return n
}

// start launches the process and waits for its first answer.
func (n *Node) start(bin string) {
	n.t.Helper()
	n.stderr = &lockedBuffer{}
	n.cmd = exec.Command(bin, "-conf", "Corefile")
	n.cmd.Dir = n.Dir
	n.cmd.Stdout = n.stderr
	n.cmd.Stderr = n.stderr
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("start coredns-dmp: %v", err)
	}
	n.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		cmd.Wait()
		close(exited)
	}(n.cmd, n.exited)

	if err := n.waitAnswer(); err != nil {
		n.Kill()
		n.t.Fatalf("coredns-dmp did not come up: %v\noutput:\n%s", err, n.Output())
	}
}

// waitAnswer polls the node over UDP until it answers anything at all.
func (n *Node) waitAnswer() error {
	q := new(dns.Msg)
	q.SetQuestion(".", dns.TypeSOA)
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			return fmt.Errorf("process exited: %v", n.cmd.ProcessState)
		default:
		}
		if _, _, err := c.Exchange(q, n.Addr); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s within %v", n.Addr, startTimeout)
}

// Kill stops the node with SIGKILL, as a crash would, and waits for it to
// exit. Killing a stopped node does nothing.
func (n *Node) Kill() { n.signal(syscall.SIGKILL) }

// Stop stops the node with SIGTERM, letting it shut down in order.
func (n *Node) Stop() { n.signal(syscall.SIGTERM) }

func (n *Node) signal(sig syscall.Signal) {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	proctest.Halt(n.cmd.Process, n.exited, sig, 10*time.Second)
}

// Restart stops the node if it runs (SIGKILL) and starts it again on the
// same ports, directory and Corefile.
func (n *Node) Restart() {
	n.t.Helper()
	n.Kill()
	n.start(Binary(n.t))
}

// Output returns what the node wrote to stdout and stderr so far.
func (n *Node) Output() string { return n.stderr.String() }

// Exchange sends m to the node over network ("udp" or "tcp").
func (n *Node) Exchange(m *dns.Msg, network string) (*dns.Msg, error) {
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	r, _, err := c.Exchange(m, n.Addr)
	return r, err
}

// freePort finds a loopback port that is free for TCP and, when udp is
// set, for UDP too.
func freePort(t testing.TB, udp bool) int {
	t.Helper()
	var also func(int) bool
	if udp {
		also = proctest.UDPFree
	}
	port, err := proctest.FreePort(also)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// lockedBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NeedTool returns the path of a command-line tool. When it is missing the
// test is skipped with the reason, or fails when the environment sets
// CI=true, where every tool must be installed.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	return proctest.NeedTool(t, name, "")
}

// PutKeys writes TSIG keys into the embedded store file at path, creating
// it, while no node holds it open (bbolt locks the file while a node runs).
func PutKeys(t testing.TB, path string, keys ...store.Key) {
	t.Helper()
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer s.Close()
	for _, k := range keys {
		if err := s.PutKey(context.Background(), k); err != nil {
			t.Fatalf("put key %s: %v", k.Name, err)
		}
	}
}

// RunToExit writes corefile into dir and runs coredns-dmp there, for a
// Corefile the node is expected to refuse. It returns the node's output
// and exit code, or -1 when the node was still running after startTimeout.
func RunToExit(t testing.TB, dir, corefile string) (string, int) {
	t.Helper()
	bin := Binary(t)
	if err := os.WriteFile(filepath.Join(dir, "Corefile"), []byte(corefile), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-conf", "Corefile")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return string(out), -1
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return string(out), 0
}
