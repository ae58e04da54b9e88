package main

import (
	"errors"
	"fmt"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
)

// Exit codes; documented in the package comment and `dnsmesh --help`.
const (
	exitOK            = 0
	exitError         = 1
	exitNetwork       = 2
	exitUsage         = 3
	exitBadPassphrase = 4
)

// hinted is an error with hint lines for the user.
type hinted struct {
	err   error
	hints []string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// withHint attaches hints to err.
func withHint(err error, hints ...string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hints: hints}
}

// usageError marks a command-line usage mistake.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// runError marks an error that came out of a command's run function, as
// opposed to one cobra made while parsing the command line.
type runError struct{ err error }

func (r *runError) Error() string { return r.err.Error() }
func (r *runError) Unwrap() error { return r.err }

// report prints err as an error line plus hints and returns the exit code.
func (a *app) report(err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintf(a.stderr, "dnsmesh: error: %s\n", err)
	var h *hinted
	if errors.As(err, &h) {
		for _, line := range h.hints {
			fmt.Fprintf(a.stderr, "dnsmesh: hint: %s\n", line)
		}
	}
	for _, line := range defaultHints(err) {
		fmt.Fprintf(a.stderr, "dnsmesh: hint: %s\n", line)
	}
	return code
}

// exitCode maps an error to the documented exit code.
func exitCode(err error) int {
	var u *usageError
	var r *runError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case !errors.As(err, &r):
		return exitUsage // made by cobra while parsing the command line
	case errors.Is(err, client.ErrWrongPassphrase):
		return exitBadPassphrase
	case errors.Is(err, dnsio.ErrQuery), errors.Is(err, dnsio.ErrRefused),
		errors.Is(err, dnsio.ErrUnsigned), errors.Is(err, dnsio.ErrRegistration),
		errors.Is(err, dnsio.ErrUnreachable):
		return exitNetwork
	}
	return exitError
}

// defaultHints suggests the next step for common errors that carry no
// hint of their own.
func defaultHints(err error) []string {
	var h *hinted
	if errors.As(err, &h) {
		return nil
	}
	var u *usageError
	var r *runError
	switch {
	case errors.As(err, &u) || !errors.As(err, &r):
		return []string{"run 'dnsmesh --help' for usage"}
	case errors.Is(err, config.ErrNotFound):
		return []string{"run 'dnsmesh init <user> --domain <zone>' first, " +
			"or point --config-home at an existing folder"}
	case errors.Is(err, client.ErrWrongPassphrase):
		return []string{"check $DMP_PASSPHRASE or the passphrase file named in config.yaml"}
	case errors.Is(err, client.ErrUnknownContact):
		return []string{"add it with 'dnsmesh identity fetch user@host --add'",
			"list contacts with 'dnsmesh contacts list'"}
	case errors.Is(err, client.ErrNoWriter):
		return []string{"register a key with 'dnsmesh tsig register'"}
	case errors.Is(err, state.ErrDamaged):
		return []string{"move state.db aside to start an empty one; its contacts, inbox and " +
			"prekey secrets are lost",
			"then pin contacts again ('identity fetch --add') and run 'identity refresh-prekeys'"}
	case errors.Is(err, state.ErrBusy):
		return []string{"another dnsmesh holds the state file; try again"}
	case errors.Is(err, client.ErrPrekeyPoolUnread):
		return []string{"nothing was sent; retry when the node answers " +
			"('dnsmesh doctor' tests it)",
			"or pass --allow-no-prekey to send now without forward secrecy"}
	case errors.Is(err, dnsio.ErrRefused):
		return []string{"the node's reason is shown above; 'dnsmesh doctor' checks the setup"}
	case errors.Is(err, dnsio.ErrQuery), errors.Is(err, dnsio.ErrUnreachable):
		return []string{"is the node up? check --dns-server (or dns_server in config.yaml) " +
			"and the resolvers; 'dnsmesh doctor' tests them"}
	}
	return nil
}
