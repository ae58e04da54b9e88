// Command dnsmesh is the DMP client: it makes an identity, registers a
// TSIG key with a node, publishes identity and prekey records, pins
// contacts, and sends and receives end-to-end encrypted messages carried
// in DNS TXT records.
//
// # Exit codes
//
//	0  success
//	1  error: configuration, local state, bad input, unknown contact
//	2  network or node error: a query failed, a node refused an update
//	3  usage error: unknown command or flag, bad flag value, wrong number of
//	   arguments, a message that is empty or too large
//	4  wrong passphrase
//
// Errors are printed on stderr as one "dnsmesh: error: ..." line, often
// followed by "dnsmesh: hint: ..." lines. Data goes to stdout only.
package main

import (
	"io"
	"os"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one dnsmesh invocation and returns its exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if len(args) == 0 {
		root.SetOut(stderr)
		root.Usage()
		return exitUsage
	}
	err := root.Execute()
	return a.report(err)
}
