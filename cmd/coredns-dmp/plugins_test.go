package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

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
	for _, line := range []string{"file db.example.org", "forward . 192.0.2.1", "metadata"} {
		directive := strings.Fields(line)[0]
		t.Run(directive, func(t *testing.T) {
			cf := "example.org:0 {\n    bind 127.0.0.1\n    " + line + "\n    dmp\n}\n"
			out, code := nodetest.RunToExit(t, t.TempDir(), cf)
			if code == -1 {
				t.Fatalf("the node kept running with %q:\n%s", line, out)
			}
			want := "Unknown directive '" + directive + "'"
			if code == 0 || !strings.Contains(out, want) {
				t.Errorf("got exit %d, want a failure with %q:\n%s", code, want, out)
			}
		})
	}
}
