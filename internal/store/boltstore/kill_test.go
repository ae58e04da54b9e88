package boltstore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/storetest"
)

// writerEnv names the store file when the test binary runs as the writer
// process of TestKillKeepsAcknowledged.
const writerEnv = "BOLTSTORE_TEST_WRITER"

func TestMain(m *testing.M) {
	if path := os.Getenv(writerEnv); path != "" {
		os.Exit(writeForever(path))
	}
	os.Exit(m.Run())
}

// writeForever applies one add after another and prints the number of
// each once Apply has returned, until it is killed.
func writeForever(path string) int {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := 0; ; i++ {
		if err := s.Apply(context.Background(), killUpdate(i), storetest.T0); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(i)
	}
}

func killUpdate(i int) store.Update {
	return store.Update{Zone: storetest.Zone, Writer: "k1.", Changes: []store.Change{{
		Op: store.OpAdd, Owner: fmt.Sprintf("o%d.mb-1.example.org.", i%7),
		Value: strconv.Itoa(i), TTL: time.Hour}}}
}

func TestKillKeepsAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dmp.db")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), writerEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start writer: %v", err)
	}
	acked := -1
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		acked, _ = strconv.Atoi(lines.Text())
		if acked == 40 {
			_ = cmd.Process.Kill() // SIGKILL, mid-write most likely
		}
	}
	_ = cmd.Wait()
	if acked < 40 {
		t.Fatalf("writer acknowledged %d updates before dying, want at least 40", acked+1)
	}

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	for i := 0; i <= acked; i++ {
		u := killUpdate(i)
		vals, _, err := s.Lookup(context.Background(), u.Zone, u.Changes[0].Owner, storetest.T0)
		if err != nil || !contains(vals, u.Changes[0].Value) {
			t.Fatalf("acknowledged update %d of %d lost after SIGKILL (err %v)", i, acked, err)
		}
	}
}

func contains(vals []store.Value, data string) bool {
	for _, v := range vals {
		if v.Data == data {
			return true
		}
	}
	return false
}
