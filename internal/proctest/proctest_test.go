package proctest

import (
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestFreePort(t *testing.T) {
	port, err := FreePort(UDPFree)
	if err != nil {
		t.Fatal(err)
	}
	if !TCPFree(port) || !UDPFree(port) {
		t.Fatalf("got port %d, want one free for TCP and UDP", port)
	}

	l, err := net.Listen("tcp", hostPort(port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if TCPFree(port) {
		t.Fatalf("TCPFree(%d) = true while it is bound, want false", port)
	}
	if TCPFree(70000) {
		t.Fatal("TCPFree(70000) = true, want false")
	}
}

func TestHalt(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		wantKill bool // SIGTERM is ignored, so the grace runs out
	}{
		{"exits on SIGTERM", "sleep 30", false},
		{"ignores SIGTERM", "trap '' TERM; while :; do sleep 0.05; done", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", tt.script)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() {
				cmd.Wait()
				close(exited)
			}()
			time.Sleep(100 * time.Millisecond) // let the trap be set

			Halt(cmd.Process, exited, syscall.SIGTERM, 300*time.Millisecond)
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if got := ws.Signal() == syscall.SIGKILL; got != tt.wantKill {
				t.Fatalf("got killed=%v (%v), want killed=%v", got, cmd.ProcessState,
					tt.wantKill)
			}
		})
	}
}
