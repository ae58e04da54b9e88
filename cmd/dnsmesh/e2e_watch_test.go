package main

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond every 50ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// watcher is a running `recv --watch`.
type watcher struct {
	cmd      *exec.Cmd
	out, err *syncBuffer
	done     chan error
}

func startWatch(t *testing.T, u *user) *watcher {
	t.Helper()
	w := &watcher{cmd: u.cmd("", "recv", "--watch", "--interval", "1s"),
		out: &syncBuffer{}, err: &syncBuffer{}, done: make(chan error, 1)}
	w.cmd.Stdout, w.cmd.Stderr = w.out, w.err
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.done <- w.cmd.Wait() }()
	t.Cleanup(func() { // a failed test must not leave it running
		if w.cmd.ProcessState == nil {
			w.cmd.Process.Kill()
			<-w.done
		}
	})
	return w
}

// stop ends the watch with SIGTERM and returns its exit error, failing
// the test if it does not exit within 10s.
func (w *watcher) stop(t *testing.T) error {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-w.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("recv --watch did not exit within 10s of SIGTERM")
		return nil
	}
}

// TestWatchSurvivesNodeRestart: a `recv --watch` keeps polling while its
// node is down, warning on stderr, and delivers a message sent after the
// node is back; SIGTERM then ends it with exit 0.
func TestWatchSurvivesNodeRestart(t *testing.T) {
	n := e2eNode(t)
	alice, bob := newE2EUser(t, n, "alice"), newE2EUser(t, n, "bob")
	bob.ok("identity", "refresh-prekeys", "--count", "5")
	alice.ok("identity", "fetch", bob.addr(), "--add")
	bob.ok("identity", "fetch", alice.addr(), "--add")

	w := startWatch(t, bob)
	alice.send(bob.addr(), "before the restart")
	if !waitFor(15*time.Second, func() bool {
		return strings.Contains(w.out.String(), "before the restart")
	}) {
		t.Fatalf("watch printed %q, stderr %q; want the first message", w.out, w.err)
	}

	n.Stop()
	if !waitFor(15*time.Second, func() bool {
		return strings.Contains(w.err.String(), "poll failed")
	}) {
		t.Fatalf("watch stderr %q, want a failed-poll warning while the node is down", w.err)
	}
	select {
	case err := <-w.done:
		t.Fatalf("the watch ended while the node was down: %v; stderr %q", err, w.err)
	case <-time.After(500 * time.Millisecond):
	}

	n.Restart()
	alice.send(bob.addr(), "after the restart")
	if !waitFor(15*time.Second, func() bool {
		return strings.Contains(w.out.String(), "after the restart")
	}) {
		t.Fatalf("watch printed %q, stderr %q; want the message sent after the restart",
			w.out, w.err)
	}
	if err := w.stop(t); err != nil {
		t.Fatalf("watch exited with %v after SIGTERM, want 0; stderr %q", err, w.err)
	}
	if strings.Contains(w.err.String(), "dnsmesh: error:") {
		t.Fatalf("watch stderr %q, want warnings only", w.err)
	}
	if c := strings.Count(w.out.String(), "before the restart"); c != 1 {
		t.Fatalf("the first message was printed %d times, want once", c)
	}
}
