package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
)

// TestPluginSet checks that the binary holds dmp and the plugins around it
// that the issue names, and nothing else (records-server-cli.md §E).
//
// metadata is in the list because CoreDNS's cache and log plugins import
// its package (for metadata.ValueFunc), and its init registers it with
// caddy. It is not in main.go's directives, so a Corefile cannot use it:
// TestOtherPluginsRefused shows the node refuses it like file or forward.
func TestPluginSet(t *testing.T) {
	out, err := exec.Command(nodetest.Binary(t), "-plugins").Output()
	if err != nil {
		t.Fatalf("coredns-dmp -plugins: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := []string{"bind", "cache", "dmp", "errors", "health", "log", "metadata",
		"prometheus", "ready", "reload"}
	if !slices.Equal(got, want) {
		t.Errorf("got plugins %q, want %q", got, want)
	}
}

// TestOtherPluginsRefused starts the node with a Corefile that uses a
// plugin it was built without: it must exit at once with an error naming
// the directive, not serve.
func TestOtherPluginsRefused(t *testing.T) {
	bin := nodetest.Binary(t)
	for _, line := range []string{"file db.example.org", "forward . 192.0.2.1", "metadata"} {
		directive := strings.Fields(line)[0]
		t.Run(directive, func(t *testing.T) {
			dir := t.TempDir()
			cf := "example.org:0 {\n    bind 127.0.0.1\n    " + line + "\n    dmp\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "Corefile"), []byte(cf), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-conf", "Corefile")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("the node kept running with %q:\n%s", line, out)
			}
			want := "Unknown directive '" + directive + "'"
			if err == nil || !strings.Contains(string(out), want) {
				t.Errorf("got exit %v, want a failure with %q:\n%s", err, want, out)
			}
		})
	}
}
