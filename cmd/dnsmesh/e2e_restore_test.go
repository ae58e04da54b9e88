package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreVerified: init --restore checks the derived keys against the
// identity published on the node. The right passphrase is confirmed; a
// wrong one is refused with exit 4 and writes nothing (issue #6 P7).
func TestRestoreVerified(t *testing.T) {
	n := e2eNode(t)
	alice := newE2EUser(t, n, "alice")
	out, _ := alice.ok("identity", "show", "--json")
	var shown struct {
		Salt        string `json:"kdf_salt"`
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("identity show --json %q: %v", out, err)
	}
	restore := []string{"init", "alice", "--domain", e2eZone, "--dns-server", n.Addr,
		"--register-url", "http://" + n.HTTP, "--restore", "--salt", shown.Salt}

	tests := []struct {
		name, pass string
		wantCode   int
		wantErr    string
	}{
		{"right passphrase", "pass of alice", 0, "restore verified"},
		{"wrong passphrase", "pass of alice, mistyped", exitBadPassphrase,
			"is published with fingerprint " + shown.Fingerprint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "restored")
			u := &user{t: t, name: "alice", home: home, node: n}
			c := u.cmd("", restore...)
			c.Env = append(c.Env, "DMP_PASSPHRASE="+tt.pass)
			b, err := c.CombinedOutput()
			code := c.ProcessState.ExitCode()
			if code != tt.wantCode || !strings.Contains(string(b), tt.wantErr) {
				t.Fatalf("restore got exit %d (%v), output %q; want %d and %q", code, err,
					b, tt.wantCode, tt.wantErr)
			}
			_, statErr := os.Stat(filepath.Join(home, "config.yaml"))
			if written := statErr == nil; written != (tt.wantCode == 0) {
				t.Fatalf("config.yaml written: %v, want %v", written, tt.wantCode == 0)
			}
		})
	}
}
