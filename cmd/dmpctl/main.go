// Command dmpctl administers a running coredns-dmp node's TSIG keys
// through its loopback admin endpoint (DECISIONS N7): list them, add one
// with a scope, revoke one. It works the same on the Redis and the
// embedded store, since the node does the store work.
//
// Enable the endpoint in the Corefile with "admin 127.0.0.1:8054 TOKENFILE"
// and give dmpctl the same token file.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/dnsmesh/dmp/internal/admin"

	"github.com/spf13/cobra"
)

// options are the global flags.
type options struct {
	url       string
	tokenFile string
}

func main() {
	if err := newRoot().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "dmpctl:", err)
		os.Exit(exitCode(err))
	}
}

// Exit codes, the same table as dnsmesh's.
const (
	exitLocal = 1 // a local problem: the token file, the output
	exitNode  = 2 // the admin endpoint could not be reached or refused the request
	exitUsage = 3 // a mistake in the command line
)

// usageError marks a mistake in the command line (exit 3).
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// nodeError marks a failure reaching the node or an error it returned
// (exit 2).
type nodeError struct{ error }

func (e nodeError) Unwrap() error { return e.error }

// localError marks a local failure (exit 1).
type localError struct{ error }

func (e localError) Unwrap() error { return e.error }

// exitCode maps err to the exit table, nil to 0. Errors cobra returns by
// itself (unknown command or flag, a required flag missing) are usage
// errors.
func exitCode(err error) int {
	var u usageError
	var n nodeError
	var l localError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &n):
		return exitNode
	case errors.As(err, &l):
		return exitLocal
	}
	return exitUsage
}

const rootLong = `dmpctl administers the TSIG keys of a running coredns-dmp node through
its loopback admin endpoint (the Corefile's "admin ADDR TOKENFILE").

Exit codes:
  0  success
  1  local error (the token file cannot be read or is empty)
  2  network or node error (endpoint unreachable, token refused, key unknown)
  3  usage error (unknown command or flag, wrong arguments, a refused scope,
     a key name that exists without --replace); arguments are checked
     before any request, and arguments the node refuses (HTTP 400) are
     usage errors too`

func newRoot() *cobra.Command {
	o := &options{}
	root := &cobra.Command{
		Use:           "dmpctl",
		Short:         "Administer the TSIG keys of a running coredns-dmp node",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          missingCommand,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&o.url, "admin", envOr("DMPCTL_ADMIN",
		"http://127.0.0.1:8054"), "URL of the node's admin endpoint (env DMPCTL_ADMIN)")
	root.PersistentFlags().StringVar(&o.tokenFile, "token-file", os.Getenv("DMPCTL_TOKEN_FILE"),
		"file holding the operator token (env DMPCTL_TOKEN_FILE)")
	root.AddCommand(newKeys(o))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// client builds the admin client from the global flags.
func (o *options) client() (*admin.Client, error) {
	if o.tokenFile == "" {
		return nil, usageError{errors.New("--token-file is required")}
	}
	b, err := os.ReadFile(o.tokenFile)
	if err != nil {
		return nil, localError{fmt.Errorf("operator token: %w", err)}
	}
	token, _, _ := strings.Cut(string(b), "\n")
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, localError{fmt.Errorf("operator token: the first line of %s is empty",
			o.tokenFile)}
	}
	return &admin.Client{URL: o.url, Token: token}, nil
}
