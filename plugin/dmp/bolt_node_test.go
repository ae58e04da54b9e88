package dmp

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/internal/store/boltstore"

	"github.com/miekg/dns"
)

// A damaged embedded store stops coredns-dmp at startup with exit status
// 1 and an error naming the file and what to do, never a bbolt panic
// after "serving" (issue #4, P5).
func TestNodeDamagedStoreFile(t *testing.T) {
	cases := []struct {
		name   string
		damage func(data []byte) []byte
	}{
		{"cut to half", func(d []byte) []byte { return d[:len(d)/2] }},
		{"zeroed header", func(d []byte) []byte {
			copy(d, make([]byte, 2*4096))
			return d
		}},
	}
	src := filledStoreFile(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(dir, "dmp.db")
			if err := os.WriteFile(db, tc.damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
			corefile := fmt.Sprintf("example.org:0 {\n    bind 127.0.0.1\n    dmp {\n"+
				"        db %s\n    }\n}\n", db)
			out, code := nodetest.RunToExit(t, dir, corefile)
			if code != 1 || strings.Contains(out, "panic") {
				t.Fatalf("got exit %d, want 1 without a panic; output:\n%s", code, out)
			}
			for _, want := range []string{db, "damaged", "restore it from a backup"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// filledStoreFile writes an embedded store spanning a few hundred pages.
func filledStoreFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.db")
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	for i := range 20 {
		u := store.Update{Zone: "example.org.", Writer: "k1."}
		for j := range 50 {
			u.Changes = append(u.Changes, store.Change{Op: store.OpAdd,
				Owner: fmt.Sprintf("slot-%d.mb-%03d.example.org.", j%10, i),
				Value: strings.Repeat("v", 300) + fmt.Sprint(j), TTL: time.Hour})
		}
		if err := s.Apply(context.Background(), u, now); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// Damage found while serving (here: the file zeroed under the running
// node) gets SERVFAIL, an error in the log and ready false; the process
// keeps running.
func TestNodeDamageWhileServing(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filledStoreFile(t))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "dmp.db")
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	n := nodetest.StartIn(t, dir, `example.org:{{PORT}} {
    bind 127.0.0.1
    errors
    ready 127.0.0.1:{{HTTP}}
    dmp {
        db {{DIR}}/dmp.db
    }
}
`)
	q := new(dns.Msg)
	q.SetQuestion("slot-1.mb-007.example.org.", dns.TypeTXT)
	if r, err := n.Exchange(q, "udp"); err != nil || len(r.Answer) == 0 {
		t.Fatalf("before damage: got %v, %v; want an answer", r, err)
	}

	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, len(data)-2*4096), 2*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r, err := n.Exchange(q, "udp")
	if err != nil || r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("after damage: got %v, %v; want SERVFAIL", r, err)
	}
	if code := readyStatus(t, n.HTTP); code == http.StatusOK {
		t.Errorf("ready after damage: got %d, want not 200", code)
	}
	if _, err := n.Exchange(q, "tcp"); err != nil {
		t.Errorf("node stopped answering: %v\n%s", err, n.Output())
	}
	if out := n.Output(); !strings.Contains(out, "damaged") || strings.Contains(out, "panic:") {
		t.Errorf("log: want the damage logged and no panic, got:\n%s", out)
	}
}

// readyStatus polls /ready for up to 3 s until it is not 200, and returns
// the last status.
func readyStatus(t *testing.T, addr string) int {
	t.Helper()
	code := 0
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		resp, err := http.Get("http://" + addr + "/ready")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if code = resp.StatusCode; code != http.StatusOK {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return code
}
