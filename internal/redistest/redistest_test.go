package redistest

import (
	"strings"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if got, err := command(plain(s.Addr()), "SET k v"); err != nil || got != "+OK" {
		t.Fatalf("SET: got %q, %v; want +OK", got, err)
	}
	s.Stop()
	if _, err := command(plain(s.Addr()), "PING"); err == nil {
		t.Fatal("PING after Stop: got an answer, want a refused connection")
	}
	s.Restart()
	got, err := bulk(plain(s.Addr()), "GET k")
	if err != nil || got != "v" {
		t.Fatalf("GET after Restart: got %q, %v; want v (append-only file kept)", got, err)
	}
	s.Kill()
	s.Restart()
	if got, err := command(plain(s.Addr()), "PING"); err != nil || got != "+PONG" {
		t.Fatalf("PING after Kill+Restart: got %q, %v; want +PONG", got, err)
	}
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster start takes a few seconds")
	}
	c := StartCluster(t)
	if len(c.Addrs()) != 3 {
		t.Fatalf("got %d nodes, want 3", len(c.Addrs()))
	}
	info, err := bulk(plain(c.Addrs()[0]), "CLUSTER INFO")
	if err != nil || !strings.Contains(info, "cluster_known_nodes:3") {
		t.Fatalf("CLUSTER INFO: got %q, %v; want cluster_known_nodes:3", info, err)
	}
}

func TestSentinel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five redis-server processes")
	}
	s := StartSentinel(t)
	if got, err := s.MasterAddr(); err != nil || got != s.Master.Addr() {
		t.Fatalf("master before failover: got %s, %v; want %s", got, err, s.Master.Addr())
	}
	s.Failover()
	if got, err := s.MasterAddr(); err != nil || got != s.Replica.Addr() {
		t.Fatalf("master after failover: got %s, %v; want %s", got, err, s.Replica.Addr())
	}
	if role, err := infoField(s.Master, "role"); err != nil || role != "slave" {
		t.Errorf("old master: got role %q, %v; want slave", role, err)
	}
}

func TestPassword(t *testing.T) {
	s := StartWith(t, Options{Password: "p@ss word"})
	if got, err := command(plain(s.Addr()), "PING"); err != nil ||
		!strings.HasPrefix(got, "-NOAUTH") {
		t.Errorf("PING without AUTH: got %q, %v; want -NOAUTH", got, err)
	}
	if got, err := command(s.endpoint(), "PING"); err != nil || got != "+PONG" {
		t.Errorf("PING after AUTH: got %q, %v; want +PONG", got, err)
	}
	if want := "redis://:p%40ss+word@" + s.Addr(); s.URL() != want {
		t.Errorf("URL: got %s, want %s", s.URL(), want)
	}
}

func TestTLS(t *testing.T) {
	s := StartWith(t, Options{TLS: true, Password: "secret"})
	if got, err := command(s.endpoint(), "PING"); err != nil || got != "+PONG" {
		t.Fatalf("PING over TLS: got %q, %v; want +PONG", got, err)
	}
	if got, err := command(plain(s.Addr()), "PING"); err == nil && got == "+PONG" {
		t.Error("PING over plain TCP: got +PONG, want no answer on a TLS-only port")
	}
	other := StartWith(t, Options{TLS: true})
	e := s.endpoint()
	e.tls = other.TLSConfig()
	if _, err := command(e, "PING"); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Errorf("PING trusting another CA: got %v, want a TLS error", err)
	}
	if !strings.HasPrefix(s.URL(), "rediss://:secret@") || s.CAFile() == "" {
		t.Errorf("got URL %s and CA %q, want rediss:// and a CA file", s.URL(), s.CAFile())
	}
}
