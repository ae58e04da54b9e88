package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels monitor their master under.
const MasterName = "mymaster"

// Sentinel is a Redis Sentinel deployment: one master, one replica and
// three sentinels (quorum 2), each process in its own directory. Master
// and Replica are the processes as started; after Failover they have
// swapped roles.
type Sentinel struct {
	Master, Replica *Server
	Sentinels       []*Server
}

// StartSentinel starts the master, the replica (waiting until it has
// synced) and three sentinels, each from a generated sentinel.conf run
// with `redis-server sentinel.conf --sentinel`, and returns once every
// sentinel sees the replica and the two other sentinels. Everything is
// stopped when the test ends.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	bin := need(t, "redis-server")
	s := &Sentinel{}
	s.Master = startProcess(t, func(dir string, port int) ([]string, error) {
		return []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", dir, "--save", "", "--protected-mode", "no"}, nil
	})
	_, mport, _ := strings.Cut(s.Master.Addr(), ":")
	s.Replica = startProcess(t, func(dir string, port int) ([]string, error) {
		return []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", dir, "--save", "", "--protected-mode", "no",
			"--replicaof", "127.0.0.1", mport}, nil
	})
	if err := waitFor(func() error { return linkUp(s.Replica) }); err != nil {
		t.Fatalf("redistest: replica: %v", err)
	}
	for range 3 {
		s.Sentinels = append(s.Sentinels, startProcess(t, func(dir string,
			port int) ([]string, error) {
			conf, err := writeSentinelConf(dir, port, mport)
			return []string{bin, conf, "--sentinel"}, err
		}))
	}
	if err := waitFor(s.settled); err != nil {
		t.Fatalf("redistest: sentinels: %v", err)
	}
	return s
}

// writeSentinelConf writes dir/sentinel.conf, which the sentinel keeps
// rewriting with what it learns.
func writeSentinelConf(dir string, port int, masterPort string) (string, error) {
	conf := fmt.Sprintf(`port %d
bind 127.0.0.1
protected-mode no
dir %s
sentinel monitor %s 127.0.0.1 %s 2
sentinel down-after-milliseconds %[3]s 5000
sentinel failover-timeout %[3]s 20000
sentinel parallel-syncs %[3]s 1
`, port, dir, MasterName, masterPort)
	path := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// startProcess starts a redis-server whose arguments args builds for a
// directory and a free port, trying a few ports.
func startProcess(t testing.TB, args func(dir string, port int) ([]string, error)) *Server {
	t.Helper()
	return launch(t, t.TempDir(), false, func(s *Server) error {
		var err error
		s.args, err = args(s.dir, s.port)
		return err
	})
}

// Addrs returns host:port of every sentinel.
func (s *Sentinel) Addrs() []string {
	var addrs []string
	for _, n := range s.Sentinels {
		addrs = append(addrs, n.Addr())
	}
	return addrs
}

// URL returns the go-redis failover URL naming every sentinel and the
// master, for `redis sentinel URL` in a Corefile.
func (s *Sentinel) URL() string {
	addrs := s.Addrs()
	return "redis://" + addrs[0] + "?master_name=" + MasterName + "&addr=" +
		strings.Join(addrs[1:], "&addr=")
}

// MasterAddr returns the master's address as the first sentinel reports
// it.
func (s *Sentinel) MasterAddr() (string, error) {
	return masterAddr(s.Sentinels[0])
}

// Failover runs SENTINEL FAILOVER and waits until every sentinel names
// the former replica as master, it reports role:master and the former
// master follows it as a synced replica.
func (s *Sentinel) Failover() {
	s.Master.t.Helper()
	before, err := s.MasterAddr()
	if err != nil {
		s.Master.t.Fatalf("redistest: master before failover: %v", err)
	}
	next := s.Replica
	if before == s.Replica.Addr() {
		next = s.Master
	}
	if reply, err := command(plain(s.Sentinels[0].Addr()),
		"SENTINEL FAILOVER "+MasterName); err != nil || reply != "+OK" {
		s.Master.t.Fatalf("redistest: SENTINEL FAILOVER: %q, %v", reply, err)
	}
	old := s.Master
	if next == s.Master {
		old = s.Replica
	}
	err = waitFor(func() error {
		for _, n := range s.Sentinels {
			if a, err := masterAddr(n); err != nil || a != next.Addr() {
				return fmt.Errorf("sentinel %s names %s (%v), want %s", n.Addr(), a, err,
					next.Addr())
			}
		}
		if role, err := infoField(next, "role"); err != nil || role != "master" {
			return fmt.Errorf("%s has role %q (%v), want master", next.Addr(), role, err)
		}
		return linkUp(old)
	})
	if err != nil {
		s.Master.t.Fatalf("redistest: failover: %v", err)
	}
}

// settled reports whether every sentinel knows the replica and the two
// other sentinels, which SENTINEL FAILOVER needs.
func (s *Sentinel) settled() error {
	ctx := context.Background()
	for _, n := range s.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: n.Addr()})
		reps, err := c.Replicas(ctx, MasterName).Result()
		others, err2 := c.Sentinels(ctx, MasterName).Result()
		c.Close()
		if err != nil || err2 != nil {
			return fmt.Errorf("sentinel %s: %v %v", n.Addr(), err, err2)
		}
		ok := slices.ContainsFunc(reps, func(r map[string]string) bool {
			return r["name"] == s.Replica.Addr() && r["flags"] == "slave"
		})
		if !ok || len(others) != 2 {
			return fmt.Errorf("sentinel %s: replicas %v, %d other sentinels", n.Addr(), reps,
				len(others))
		}
	}
	return nil
}

func masterAddr(sentinel *Server) (string, error) {
	c := redis.NewSentinelClient(&redis.Options{Addr: sentinel.Addr()})
	defer c.Close()
	hp, err := c.GetMasterAddrByName(context.Background(), MasterName).Result()
	if err != nil {
		return "", err
	}
	if len(hp) != 2 {
		return "", fmt.Errorf("get-master-addr-by-name: %q", hp)
	}
	return hp[0] + ":" + hp[1], nil
}

// linkUp reports whether replica r is connected to its master and synced.
func linkUp(r *Server) error {
	st, err := infoField(r, "master_link_status")
	if err != nil || st != "up" {
		return fmt.Errorf("%s: master_link_status %q (%v)", r.Addr(), st, err)
	}
	return nil
}

// infoField returns one field of INFO replication on s.
func infoField(s *Server, field string) (string, error) {
	info, err := bulk(s.endpoint(), "INFO replication")
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v, nil
		}
	}
	return "", nil
}

// waitFor polls check until it returns nil or 30 s pass, and returns its
// last error then.
func waitFor(check func() error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
