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

// usageError marks a mistake in the command line (exit 2).
type usageError struct{ error }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func newRoot() *cobra.Command {
	o := &options{}
	root := &cobra.Command{
		Use:           "dmpctl",
		Short:         "Administer the TSIG keys of a running coredns-dmp node",
		SilenceUsage:  true,
		SilenceErrors: true,
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
		return nil, fmt.Errorf("operator token: %w", err)
	}
	token, _, _ := strings.Cut(string(b), "\n")
	return &admin.Client{URL: o.url, Token: strings.TrimSpace(token)}, nil
}
