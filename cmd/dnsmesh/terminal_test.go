package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/proctest"
)

// progressLine is what a command prints on a terminal before Argon2id.
const progressLine = "dnsmesh: deriving keys (Argon2id)..."

// TestPassphrasePromptOnTerminal runs `recv --watch` on a terminal of its
// own (made by script(1)) with no $DMP_PASSPHRASE and no passphrase file:
// the right passphrase typed at the prompt unlocks the keys, the progress
// line appears on the terminal, and across two polls, each delivering a
// message, the prompt and the derivation happen once. Ctrl-C then ends
// the watch with exit 0. The same recv with the passphrase from
// $DMP_PASSPHRASE and only stderr off the terminal prints no progress.
func TestPassphrasePromptOnTerminal(t *testing.T) {
	script := proctest.NeedTool(t, "script", "apt-get install bsdutils")
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.refreshPrekeys(12) // no top-up notes on the terminal
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")
	alice.send(bob.addr(), "first over a terminal")

	tty := startOnTerminal(t, script, bob, "-", "recv --watch --interval 1s")
	tty.waitFor("passphrase: ")
	tty.typeIn("pass of bob\n")
	tty.waitFor("first over a terminal")
	alice.send(bob.addr(), "second over a terminal")
	tty.waitFor("second over a terminal")
	tty.typeIn("\x03") // Ctrl-C: SIGINT from the terminal
	out, code := tty.wait()
	if code != exitOK {
		t.Fatalf("recv --watch exited %d on Ctrl-C, want 0; terminal:\n%s", code, out)
	}
	if p, d := strings.Count(out, "passphrase: "), strings.Count(out, progressLine); p != 1 ||
		d != 1 {
		t.Fatalf("terminal shows %d prompts and %d progress lines, want one of each:\n%s",
			p, d, out)
	}

	alice.send(bob.addr(), "third, stderr in a file")
	errFile := filepath.Join(t.TempDir(), "stderr")
	tty = startOnTerminal(t, script, bob, "pass of bob", "recv 2>"+shellQuote(errFile))
	out, code = tty.wait()
	errs, err := os.ReadFile(errFile)
	if err != nil || code != exitOK || !strings.Contains(out, "third, stderr in a file") {
		t.Fatalf("recv exited %d, terminal %q, stderr %q (%v); want exit 0 and the message",
			code, out, errs, err)
	}
	if strings.Contains(out+string(errs), "deriving keys") ||
		strings.Contains(out, "passphrase: ") {
		t.Fatalf("with stderr off the terminal: terminal %q, stderr %q; want no progress "+
			"line and no prompt", out, errs)
	}
}

// terminal is a dnsmesh process on a pseudo-terminal made by script(1):
// what the test types goes to the terminal, and what the process writes
// there is collected.
type terminal struct {
	t     *testing.T
	c     *exec.Cmd
	in    io.WriteCloser
	mu    sync.Mutex
	out   strings.Builder
	done  chan struct{}
	limit time.Time
}

// startOnTerminal runs `dnsmesh <command>` (shell words, may redirect) as
// u on a terminal of its own, with $DMP_PASSPHRASE pass ("-" for unset).
func startOnTerminal(t *testing.T, script string, u *user, pass, command string) *terminal {
	t.Helper()
	c := exec.Command(script, "-qec", "exec "+shellQuote(os.Args[0])+" "+command, "/dev/null")
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal but script's
	c.Env = append(passphraseEnv(pass), "DMP_CONFIG_HOME="+u.home)
	tt := &terminal{t: t, c: c, done: make(chan struct{}),
		limit: time.Now().Add(30 * time.Second)}
	var err error
	if tt.in, err = c.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatalf("start script: %v", err)
	}
	t.Cleanup(func() { syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }) // if left running
	go tt.collect(stdout)
	return tt
}

// collect copies the terminal's output until it closes.
func (tt *terminal) collect(r io.Reader) {
	defer close(tt.done)
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		tt.mu.Lock()
		tt.out.Write(buf[:n])
		tt.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// output returns what the terminal showed so far, with "\n" line ends.
func (tt *terminal) output() string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return strings.ReplaceAll(tt.out.String(), "\r\n", "\n")
}

// typeIn types s at the terminal.
func (tt *terminal) typeIn(s string) {
	tt.t.Helper()
	if _, err := io.WriteString(tt.in, s); err != nil {
		tt.t.Fatalf("type at the terminal: %v", err)
	}
}

// waitFor waits until the terminal shows s, failing after the deadline.
func (tt *terminal) waitFor(s string) {
	tt.t.Helper()
	for !strings.Contains(tt.output(), s) {
		if time.Now().After(tt.limit) {
			tt.t.Fatalf("the terminal never showed %q; it shows:\n%s", s, tt.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wait waits for the process to end and returns the terminal's output and
// the exit code, failing after the deadline.
func (tt *terminal) wait() (string, int) {
	tt.t.Helper()
	select {
	case <-tt.done:
	case <-time.After(time.Until(tt.limit)):
		tt.t.Fatalf("dnsmesh did not end; the terminal shows:\n%s", tt.output())
	}
	tt.in.Close()
	tt.c.Wait()
	return tt.output(), tt.c.ProcessState.ExitCode()
}

// shellQuote quotes s as one word for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
