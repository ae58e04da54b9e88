package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/dnsmesh/dmp/internal/admin"
)

// process is one child process and its output.
type process struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func (p *process) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
	}
}

// freePort returns a loopback port free for TCP and UDP now.
func freePort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", l.Addr().String())
		l.Close()
		if err == nil {
			u.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("free port: none found")
}

// startRedis runs redis-server in dir without persistence.
func startRedis(dir string) (*process, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	p := &process{cmd: exec.Command("redis-server", "--port", strconv.Itoa(port),
		"--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no")}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start redis-server (apt-get install redis-server): %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return p, addr, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop()
	return nil, "", fmt.Errorf("redis-server on %s did not start: %s", addr, p.out.String())
}

// node is a running coredns-dmp with an admin endpoint and one TSIG key.
type node struct {
	name    string
	proc    *process
	dns     string
	keyName string
	secret  string
}

// startNode writes a Corefile serving zone from store (a "db PATH" or
// "redis URL" line) and starts bin in dir, then adds a TSIG key for zone.
func startNode(bin, dir, name, store string) (*node, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dnsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	adminPort, err := freePort()
	if err != nil {
		return nil, err
	}
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	tokenPath := filepath.Join(dir, "admin.token")
	if err := os.WriteFile(tokenPath, []byte(hex.EncodeToString(token)), 0o600); err != nil {
		return nil, err
	}
	corefile := fmt.Sprintf(`%s:%d {
    bind 127.0.0.1
    dmp {
        %s
        quota 0
        admin 127.0.0.1:%d %s
    }
}
`, zone, dnsPort, store, adminPort, tokenPath)
	if err := os.WriteFile(filepath.Join(dir, "Corefile"), []byte(corefile), 0o600); err != nil {
		return nil, err
	}

	p := &process{cmd: exec.Command(bin, "-conf", "Corefile")}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	n := &node{name: name, proc: p, dns: net.JoinHostPort("127.0.0.1", strconv.Itoa(dnsPort))}
	if err := n.addKey(fmt.Sprintf("http://127.0.0.1:%d", adminPort),
		hex.EncodeToString(token)); err != nil {
		p.stop()
		return nil, fmt.Errorf("%s: %w\n%s", name, err, p.out.String())
	}
	return n, nil
}

// addKey waits for the admin endpoint and adds a key scoped to the chunk
// names the load writes, as a registered user's key is; a zone-wide scope
// would need the admin's force flag.
func (n *node) addKey(url, token string) error {
	c := &admin.Client{URL: url, Token: token, HTTP: &http.Client{Timeout: time.Second}}
	var lastErr error
	for range 100 {
		k, err := c.Add(context.Background(), admin.NewKey{
			Name: "bench." + zone + ".", Scope: []string{"chunk-*-*." + zone},
		})
		if err == nil {
			n.keyName, n.secret = k.Name, k.Secret
			return nil
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("add TSIG key: %w", lastErr)
}
