package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/message"

	"github.com/miekg/dns"
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

// codedError carries the exit code of an error that sums up others, such
// as doctor's failed checks.
type codedError struct {
	err  error
	code int
}

func (c *codedError) Error() string { return c.err.Error() }
func (c *codedError) Unwrap() error { return c.err }

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
	var c *codedError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case !errors.As(err, &r):
		return exitUsage // made by cobra while parsing the command line
	case errors.As(err, &c):
		return c.code
	case errors.Is(err, message.ErrTooLarge):
		return exitUsage // bad input the user must change, like an empty message
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
	case errors.Is(err, dnsio.ErrRefused), errors.Is(err, dnsio.ErrRegistration):
		return nodeHints(err)
	case isServFail(err):
		return []string{servFailHint}
	case errors.Is(err, dnsio.ErrQuery), errors.Is(err, dnsio.ErrUnreachable):
		return []string{"is the node up? check --dns-server (or dns_server in config.yaml) " +
			"and the resolvers; 'dnsmesh doctor' tests them"}
	}
	return nil
}

const servFailHint = "the node answered but could not serve the request (SERVFAIL); " +
	"its store may be down: try again later or tell its operator"

// isServFail reports whether a read or an UPDATE got SERVFAIL.
func isServFail(err error) bool {
	var re *dnsio.RcodeError
	var ue *dnsio.RefusedError
	return errors.As(err, &re) && re.Rcode == dns.RcodeServerFailure ||
		errors.As(err, &ue) && ue.Rcode == dns.RcodeServerFailure
}

// nodeHints explains a refused UPDATE or a failed registration.
func nodeHints(err error) []string {
	var ue *dnsio.RefusedError
	var he *dnsio.HTTPError
	switch {
	case isServFail(err):
		return []string{servFailHint}
	case errors.As(err, &ue) && ue.TSIGCode == dns.RcodeBadKey:
		return []string{"the node does not know this TSIG key: it was never registered " +
			"there, or it was revoked", "register a new one with 'dnsmesh tsig register'"}
	case errors.As(err, &ue) && ue.TSIGCode == dns.RcodeBadSig:
		return []string{"the node knows the key name but the secret does not match " +
			"(the key was registered again elsewhere, or the config was edited)",
			"register a new one with 'dnsmesh tsig register'"}
	case errors.As(err, &ue) && ue.TSIGCode == dns.RcodeBadTime:
		return []string{"this computer's clock and the node's differ by more than the " +
			"TSIG fudge; set the clock ('dnsmesh doctor' compares them)"}
	case errors.As(err, &ue) && ue.Rcode == dns.RcodeNotAuth:
		return []string{"the node refused this key for the name (not authorised); " +
			"'dnsmesh doctor' checks the registration"}
	case errors.As(err, &ue) && len(ue.Reasons) > 0:
		return []string{"the node's reason is in the error above; " +
			"'dnsmesh doctor' checks the setup"}
	case errors.As(err, &he) && he.Status == http.StatusTooManyRequests:
		if he.RetryAfter != "" {
			return []string{"the node rate-limits registrations; try again after " +
				retryAfter(he.RetryAfter)}
		}
		return []string{"the node rate-limits registrations; try again later"}
	case errors.As(err, &he) && he.Status == http.StatusServiceUnavailable:
		return []string{"the node's registration service is unavailable " +
			"(its store may be down); try again later"}
	case errors.Is(err, dnsio.ErrRegistration):
		return []string{"check --register-url (register_url in config.yaml); " +
			"'dnsmesh doctor' tests it"}
	}
	return []string{"'dnsmesh doctor' checks the setup"}
}

// retryAfter renders a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string) string {
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return (time.Duration(secs) * time.Second).String()
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC().Format(time.RFC1123)
	}
	return v
}
