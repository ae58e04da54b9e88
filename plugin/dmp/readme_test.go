package dmp

import (
	"os"
	"strings"
	"testing"

	"github.com/coredns/caddy"
)

// TestReadmeExamples parses the dmp block of every Corefile example in
// README.md, as CoreDNS checks its plugins' READMEs.
func TestReadmeExamples(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := dmpBlocks(string(b))
	if len(blocks) < 2 {
		t.Fatalf("got %d dmp examples in README.md, want at least 2", len(blocks))
	}
	for i, blk := range blocks {
		if _, err := parse(caddy.NewTestController("dns", "dmp example.org "+blk)); err != nil {
			t.Errorf("example %d: %v\n%s", i, err, blk)
		}
	}
}

// dmpBlocks returns the "{ ... }" of each dmp directive inside the
// ~~~ corefile fences of a README.
func dmpBlocks(readme string) []string {
	var out []string
	inFence, collecting := false, false
	var cur []string
	for _, line := range strings.Split(readme, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "~~~"):
			inFence = trimmed == "~~~ corefile"
		case inFence && trimmed == "dmp {":
			collecting, cur = true, []string{"{"}
		case collecting && trimmed == "}":
			out = append(out, strings.Join(append(cur, "}"), "\n"))
			collecting = false
		case collecting:
			cur = append(cur, trimmed)
		}
	}
	return out
}
