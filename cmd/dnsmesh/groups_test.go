package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestGroupCommands: every command group refuses an unknown or missing
// subcommand with exit 3, an error line naming the group and a hint
// listing its commands, instead of printing its help and exiting 0.
func TestGroupCommands(t *testing.T) {
	groups := map[string]string{
		"identity":   "fetch, publish, refresh-prekeys, show",
		"tsig":       "register",
		"contacts":   "add, list, remove",
		"intro":      "accept, block, list, trust",
		"completion": "bash, fish, powershell, zsh",
	}
	for group, valid := range groups {
		for _, sub := range []string{"frob", ""} {
			t.Run(group+"/"+sub, func(t *testing.T) {
				args := []string{group}
				want := `dnsmesh: error: "dnsmesh ` + group + `" needs a command`
				if sub != "" {
					args = append(args, sub)
					want = `dnsmesh: error: unknown command "frob" for "dnsmesh ` + group + `"`
				}
				var stdout, stderr bytes.Buffer
				code := run(args, strings.NewReader(""), &stdout, &stderr)
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				hint := "dnsmesh: hint: its commands are " + valid +
					"; see 'dnsmesh " + group + " --help'"
				if code != exitUsage || len(lines) != 2 || lines[0] != want || lines[1] != hint ||
					stdout.Len() != 0 {
					t.Fatalf("dnsmesh %v: exit %d, stdout %q, stderr %q; want exit 3, "+
						"stderr %q then %q", args, code, &stdout, &stderr, want, hint)
				}
			})
		}
	}
}
