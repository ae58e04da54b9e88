package nodetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// reloadTimeout bounds how long a reload may take to report its end.
const reloadTimeout = 20 * time.Second

// Reload sends the node SIGUSR1, which makes CoreDNS read its Corefile
// again and restart its plugins in the same process, and waits until the
// node logs that the reload completed. It returns an error when the
// reload failed or never finished.
func (n *Node) Reload() error {
	done := strings.Count(n.Output(), "Reloading complete")
	failed := strings.Count(n.Output(), "Restart failed")
	if err := n.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return fmt.Errorf("signal reload: %w", err)
	}
	deadline := time.Now().Add(reloadTimeout)
	for time.Now().Before(deadline) {
		out := n.Output()
		switch {
		case strings.Count(out, "Restart failed") > failed:
			return fmt.Errorf("reload failed:\n%s", out)
		case strings.Count(out, "Reloading complete") > done:
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("reload did not complete within %v", reloadTimeout)
}

// EditCorefile rewrites the node's Corefile with edit applied, for a
// Reload to pick up.
func (n *Node) EditCorefile(edit func(string) string) error {
	path := filepath.Join(n.Dir, "Corefile")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(edit(string(b))), 0o600)
}
