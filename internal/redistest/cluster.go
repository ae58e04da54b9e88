package redistest

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster of three masters without replicas, each a
// Server in its own directory.
type Cluster struct {
	Nodes []*Server
}

// StartCluster runs three cluster-enabled redis-server processes, joins
// them with `redis-cli --cluster create` and returns once every node
// reports cluster_state:ok. The nodes are stopped when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := need(t, "redis-server")
	cli := need(t, "redis-cli")
	c := &Cluster{}
	for range 3 {
		c.Nodes = append(c.Nodes, startClusterNode(t, bin))
	}
	args := []string{"--cluster", "create"}
	args = append(args, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.waitOK(); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return c
}

// Addrs returns host:port of every node.
func (c *Cluster) Addrs() []string {
	var addrs []string
	for _, n := range c.Nodes {
		addrs = append(addrs, n.Addr())
	}
	return addrs
}

func startClusterNode(t testing.TB, bin string) *Server {
	t.Helper()
	return launch(t, t.TempDir(), true, func(s *Server) error {
		s.args = []string{bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
			"--dir", s.dir, "--save", "", "--appendonly", "no",
			"--protected-mode", "no", "--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"}
		return nil
	})
}

// waitOK polls CLUSTER INFO on every node until each says the cluster is
// ok; a freshly created cluster needs a moment to agree on its slots.
func (c *Cluster) waitOK() error {
	deadline := time.Now().Add(startTimeout)
	for _, n := range c.Nodes {
		for {
			info, err := bulk(plain(n.Addr()), "CLUSTER INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("cluster at %s not ok within %v: %v %s",
					n.Addr(), startTimeout, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
