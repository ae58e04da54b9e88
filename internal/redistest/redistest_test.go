package redistest

import (
	"strings"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := Start(t)
	if got, err := command(s.Addr(), "SET k v"); err != nil || got != "+OK" {
		t.Fatalf("SET: got %q, %v; want +OK", got, err)
	}
	s.Stop()
	if _, err := command(s.Addr(), "PING"); err == nil {
		t.Fatal("PING after Stop: got an answer, want a refused connection")
	}
	s.Restart()
	got, err := bulk(s.Addr(), "GET k")
	if err != nil || got != "v" {
		t.Fatalf("GET after Restart: got %q, %v; want v (append-only file kept)", got, err)
	}
	s.Kill()
	s.Restart()
	if got, err := command(s.Addr(), "PING"); err != nil || got != "+PONG" {
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
	info, err := bulk(c.Addrs()[0], "CLUSTER INFO")
	if err != nil || !strings.Contains(info, "cluster_known_nodes:3") {
		t.Fatalf("CLUSTER INFO: got %q, %v; want cluster_known_nodes:3", info, err)
	}
}
