package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExamples walks the command tree: every command that
// runs, groups aside, has a Short, a Long and an Example whose lines are commands
// prefixed with "$" or their continuation lines (STYLE §2 point 37).
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCommand(&app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		// A group runs only to refuse a missing subcommand (root.go).
		if !c.Runnable() || c.HasSubCommands() || c.Hidden || c.Name() == "help" ||
			c.HasParent() && c.Parent().Name() == "completion" {
			return
		}
		t.Run(c.CommandPath(), func(t *testing.T) {
			if c.Short == "" || c.Long == "" {
				t.Errorf("got Short %q, Long %q; want both", c.Short, c.Long)
			}
			checkExample(t, c.Example)
			if !strings.Contains(c.Example, "$ "+c.CommandPath()) {
				t.Errorf("example %q never runs %q", c.Example, c.CommandPath())
			}
		})
	}
	walk(root)
}

// checkExample wants at least one "  $ dnsmesh ..." line, and every line
// either such a command or the continuation of one ending in "\".
func checkExample(t *testing.T, ex string) {
	t.Helper()
	if !strings.Contains(ex, "$ ") || !strings.Contains(ex, "dnsmesh ") {
		t.Fatalf("example %q has no \"$ dnsmesh\" line", ex)
	}
	cont := false
	for _, line := range strings.Split(ex, "\n") {
		cmd := strings.HasPrefix(line, "  $ ")
		if !cmd && !cont {
			t.Errorf("example line %q is neither a $ command nor a continuation", line)
		}
		cont = strings.HasSuffix(line, `\`)
	}
}
