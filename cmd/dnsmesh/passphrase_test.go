package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/proctest"
)

// TestWrongPassphraseHint: the hint after a wrong passphrase names the
// source it came from ($DMP_PASSPHRASE, the passphrase file, or the
// terminal prompt) and says when $DMP_PASSPHRASE is set but empty.
func TestWrongPassphraseHint(t *testing.T) {
	script := proctest.NeedTool(t, "script", "apt-get install bsdutils")
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv("DMP_PASSPHRASE", "right")
	if code := run([]string{"--config-home", home, "init", "amy", "--domain",
		"mesh.example"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("init got exit %d", code)
	}
	recv := []string{"--config-home", home, "--dns-server", "127.0.0.1:1", "recv"}
	passFile := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(passFile, []byte("wrong from file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env   string // env "-" leaves $DMP_PASSPHRASE unset
		file, typed string
		want        string
	}{
		{"env", "wrong", "", "", "hint: check $DMP_PASSPHRASE: the passphrase came from it"},
		{"file", "-", passFile, "", "hint: check the passphrase file " + passFile},
		{"prompt", "-", "", "wrong typed\n", "hint: the passphrase typed at the prompt " +
			"does not unlock this identity; try again\n"},
		{"prompt, empty env", "", "", "wrong typed\n", "at the prompt does not unlock " +
			"this identity; try again ($DMP_PASSPHRASE is set but empty, so it was not used)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setPassphraseFile(t, home, tt.file)
			var c *exec.Cmd
			if tt.typed != "" { // on a terminal of its own, made by script(1)
				c = exec.Command(script, "-qec", strings.Join(append([]string{os.Args[0]},
					recv...), " "), "/dev/null")
				c.Stdin = strings.NewReader(tt.typed)
			} else {
				c = exec.Command(os.Args[0], recv...)
			}
			c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal but script's
			c.Env = passphraseEnv(tt.env)
			out, _ := c.CombinedOutput()
			if code := c.ProcessState.ExitCode(); code != exitBadPassphrase ||
				!strings.Contains(strings.ReplaceAll(string(out), "\r\n", "\n"), tt.want) {
				t.Fatalf("exit %d, output %q; want exit 4 and %q", code, out, tt.want)
			}
		})
	}
}

// TestEmptyEnvPassphrase: with $DMP_PASSPHRASE set but empty, no file and
// no terminal, the error says the variable is set but empty.
func TestEmptyEnvPassphrase(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv("DMP_PASSPHRASE", "right")
	if code := run([]string{"--config-home", home, "init", "amy", "--domain",
		"mesh.example"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("init got exit %d", code)
	}
	c := exec.Command(os.Args[0], "--config-home", home, "recv")
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	c.Env = passphraseEnv("")
	out, _ := c.CombinedOutput()
	want := "hint: $DMP_PASSPHRASE is set but empty, so it was not used"
	if code := c.ProcessState.ExitCode(); code != exitError ||
		!strings.Contains(string(out), want) {
		t.Fatalf("exit %d, output %q; want exit 1 and %q", code, out, want)
	}
}

// passphraseEnv is the test binary's environment, run as dnsmesh, with
// $DMP_PASSPHRASE set to v, or unset for "-".
func passphraseEnv(v string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DMP_PASSPHRASE=") {
			env = append(env, kv)
		}
	}
	env = append(env, envAsMain+"=1")
	if v != "-" {
		env = append(env, "DMP_PASSPHRASE="+v)
	}
	return env
}

// setPassphraseFile names path as the passphrase file in home's config.
func setPassphraseFile(t *testing.T, home, path string) {
	t.Helper()
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PassphraseFile = path
	if err := config.Save(home, cfg); err != nil {
		t.Fatal(err)
	}
}
