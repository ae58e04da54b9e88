package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/keys"
)

// TestArgon2idOncePerCommand runs bob's commands in this process against
// a live node and counts the Argon2id derivations through deriveIdentity
// and unlockIdentity: exactly one for every command that needs keys, even
// recv, which opens a message, deletes its prekey and publishes new ones
// with them, and none for a command that needs no keys.
func TestArgon2idOncePerCommand(t *testing.T) {
	n := e2eNode(t)
	alice := newE2EUser(t, n, "alice") // before $DMP_PASSPHRASE is bob's
	alice.refreshPrekeys(3)
	bob := &user{t: t, name: "bob", home: filepath.Join(t.TempDir(), "bob"), node: n}
	t.Setenv(config.EnvPassphrase, "pass of bob")
	count := countDerivations(t)

	steps := []struct {
		args []string
		want int // derivations
	}{
		{[]string{"init", "bob", "--domain", e2eZone, "--dns-server", n.Addr,
			"--register-url", "http://" + n.HTTP}, 1},
		{[]string{"tsig", "register"}, 1},
		{[]string{"identity", "publish"}, 1},
		{[]string{"identity", "refresh-prekeys", "--count", "3"}, 1},
		{[]string{"identity", "show"}, 0},
		{[]string{"identity", "fetch", alice.addr(), "--add"}, 0},
		{[]string{"contacts", "list"}, 0},
		{[]string{"send", alice.addr(), "hi alice"}, 1},
	}
	for _, s := range steps {
		runCounted(t, bob, count, s.args, s.want)
	}

	alice.ok("identity", "fetch", bob.addr(), "--add")
	alice.send(bob.addr(), "hi bob")
	out, errs := runCounted(t, bob, count, []string{"recv"}, 1)
	if !strings.Contains(out, "hi bob") || !strings.Contains(errs, "new prekeys") {
		t.Fatalf("recv printed %q, stderr %q; want alice's message and a prekey top-up",
			out, errs)
	}
	runCounted(t, bob, count, []string{"inbox"}, 0)
	runCounted(t, bob, count, []string{"doctor"}, 1)
}

// countDerivations wraps deriveIdentity and unlockIdentity for the test
// and returns the count of their calls.
func countDerivations(t *testing.T) *int {
	n := 0
	derive, unlock := deriveIdentity, unlockIdentity
	deriveIdentity = func(pass, salt string) (*keys.Identity, error) {
		n++
		return derive(pass, salt)
	}
	unlockIdentity = func(cfg *config.Config, pass string) (*keys.Identity, error) {
		n++
		return unlock(cfg, pass)
	}
	t.Cleanup(func() { deriveIdentity, unlockIdentity = derive, unlock })
	return &n
}

// runCounted runs dnsmesh args in this process as u and fails unless it
// exits 0 after exactly want derivations; it returns stdout and stderr.
func runCounted(t *testing.T, u *user, count *int, args []string,
	want int) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	before := *count
	code := run(append([]string{"--config-home", u.home}, args...), strings.NewReader(""),
		&out, &errb)
	if code != exitOK {
		t.Fatalf("dnsmesh %v exited %d; stderr:\n%s", args, code, errb.String())
	}
	if got := *count - before; got != want {
		t.Errorf("dnsmesh %v ran Argon2id %d times, want %d", args, got, want)
	}
	return out.String(), errb.String()
}
