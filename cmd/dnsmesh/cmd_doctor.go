package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/names"

	"github.com/spf13/cobra"
)

// maxClockSkew is the clock difference doctor accepts; TSIG's fudge is
// 300 s and claims allow 300 s of future skew.
const maxClockSkew = 60 * time.Second

// doctorCheck is one line of the report.
type doctorCheck struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	// Warn marks a passed check that still needs attention.
	Warn bool `json:"warn,omitempty"`
	// err is why the check failed; its exit code ranks the failure.
	err error
}

func newDoctorCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the config, keys, node, key registration and clock",
		Long: `doctor checks that the config loads, the passphrase unlocks the keys, the
node answers DNS (a WARN when no node is configured and the system
resolver answered), the own identity is published, the registered TSIG
key is accepted, prekeys are published in DNS with their secrets held
here (it counts those, and names the prekeys found on one side only) and
the local clock agrees with the node's.

When checks fail, the exit code is that of the most severe failure: 4
when the passphrase is wrong, else 2 when the node or the network failed
a check (unreachable, refused, SERVFAIL), else 1 (local problems, and
things the node answered but lacks, such as an unpublished identity).

With --json it prints an array of {"name", "ok", "detail"} objects (plus
"warn": true on a warning), one per check: config, keys, node, identity,
registration, prekeys, clock.`,
		Example: `  $ dnsmesh doctor
  $ dnsmesh doctor --json | jq -r '.[] | select(.ok | not) | .detail'`,
		Args: needArgs(0, 0),
		RunE: a.wrap(func(cmd *cobra.Command, _ []string) error {
			return a.runDoctor(cmd, asJSON)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) runDoctor(cmd *cobra.Command, asJSON bool) error {
	var checks []doctorCheck
	addCheck := func(name string, err error, ok string) {
		c := doctorCheck{Name: name, OK: err == nil, Detail: ok, err: err}
		if err != nil {
			c.Detail = err.Error()
		}
		checks = append(checks, c)
	}
	home, _, err := a.loadConfig()
	addCheck("config", err, home)
	if err != nil {
		return a.doctorReport(checks, asJSON)
	}
	c, err := a.open(true)
	addCheck("keys", err, "passphrase unlocks the identity")
	if err != nil {
		return a.doctorReport(checks, asJSON)
	}
	ctx, cancel := a.ctx(cmd)
	defer cancel()
	owner := names.IdentityHashed(c.Cfg.Username, c.Zone())
	vals, err := c.Reader.LookupTXT(ctx, owner)
	checks = append(checks, a.doctorNode(c.Cfg, owner, len(vals), err)...)
	addCheck("registration", a.doctorTSIG(ctx, c, owner), "the node accepts the TSIG key")
	detail, err := doctorPrekeys(ctx, c)
	addCheck("prekeys", err, detail)
	line, err := a.doctorClock(ctx, c.Cfg.RegisterURL)
	addCheck("clock", err, line)
	return a.doctorReport(checks, asJSON)
}

// doctorNode reports the node check and, when the node answered, whether
// the own identity is published. With no dns_server the reads went to the
// system resolver, which may answer for a zone without any DMP node behind
// it: that is a warning, not a pass.
func (a *app) doctorNode(cfg *config.Config, owner string, records int,
	err error) []doctorCheck {
	node := doctorCheck{Name: "node", OK: err == nil,
		Detail: fmt.Sprintf("answers; %d identity record(s) at %s", records, owner)}
	if err != nil {
		return []doctorCheck{{Name: "node", Detail: err.Error(), err: err}}
	}
	if a.server(cfg) == "" {
		node.Warn = true
		node.Detail = "no node configured (no dns_server or --dns-server): the system " +
			"resolver " + node.Detail
	}
	ident := doctorCheck{Name: "identity", OK: records > 0,
		Detail: "own identity published at " + owner}
	if records == 0 {
		ident.Detail = "own identity is not published at " + owner +
			"; run 'dnsmesh identity publish'"
	}
	return []doctorCheck{node, ident}
}

// doctorPrekeys counts the prekeys both published in DNS and held here,
// the only ones a message can use, and fails on none or on published
// prekeys without a secret here, which senders would seal unopenable
// messages to. It returns the line to print.
func doctorPrekeys(ctx context.Context, c *client.Client) (string, error) {
	st, err := c.PrekeyPool(ctx)
	if err != nil {
		return "", err
	}
	line := fmt.Sprintf("%d live (published in DNS, secret held here)", st.Live)
	if st.Unpublished > 0 {
		line += fmt.Sprintf("; %d more held here but not published (a failed publish; "+
			"recv publishes them again)", st.Unpublished)
	}
	switch {
	case st.Orphans > 0:
		return "", fmt.Errorf("%s; %d published prekey(s) have no secret here (state.db "+
			"replaced, or 'init --restore'): messages sealed to them cannot be opened until "+
			"they expire at %s", line, st.Orphans, st.OrphansExpire.UTC().Format(time.RFC3339))
	case st.Live == 0:
		return "", fmt.Errorf("%s; run 'dnsmesh identity refresh-prekeys'", line)
	}
	return line, nil
}

// doctorTSIG sends a signed UPDATE that deletes a value that was never
// there: it changes nothing but proves the key and scope.
func (a *app) doctorTSIG(ctx context.Context, c *client.Client, owner string) error {
	if c.Writer == nil {
		return client.ErrNoWriter
	}
	return c.Writer.Apply(ctx, dnsio.Change{Op: dnsio.DeleteValue, Owner: owner,
		Value: "v=dmp1;t=doctor-probe"})
}

// doctorClock measures how far the node's clock is from ours with the
// Date header of its health endpoint, and fails past maxClockSkew. It
// returns the line to print.
func (a *app) doctorClock(ctx context.Context, base string) (string, error) {
	if base == "" {
		return "", errors.New("no register_url to compare clocks with")
	}
	skew, err := nodeClockSkew(ctx, base)
	if err != nil {
		return "", err
	}
	line := describeSkew(skew)
	if skew.Abs() > maxClockSkew {
		return "", fmt.Errorf("%s; more than %s breaks TSIG and claims: set the clock (NTP)",
			line, maxClockSkew)
	}
	return fmt.Sprintf("%s (limit %s)", line, maxClockSkew), nil
}

// nodeClockSkew returns the node's clock minus ours, rounded to seconds.
// The Date header (RFC 9110 §6.6.1) has whole seconds and is written
// during the request, so it is compared with the middle of the exchange,
// taken half a second after the second it names.
func nodeClockSkew(ctx context.Context, base string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health", nil)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, &codedError{err: err, code: exitNetwork}
	}
	elapsed := time.Since(start)
	resp.Body.Close()

	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return 0, &codedError{err: errors.New("node sent no Date header"), code: exitNetwork}
	}
	mid := start.Add(elapsed / 2)
	return date.Add(500 * time.Millisecond).Sub(mid).Round(time.Second), nil
}

// describeSkew says how the node's clock stands to ours.
func describeSkew(skew time.Duration) string {
	switch {
	case skew.Abs() <= time.Second:
		return "node clock within 1s of ours"
	case skew > 0:
		return fmt.Sprintf("node clock %s ahead of ours", skew)
	}
	return fmt.Sprintf("node clock %s behind ours", -skew)
}

// doctorReport prints the checks and fails when one failed.
func (a *app) doctorReport(checks []doctorCheck, asJSON bool) error {
	failed := 0
	for _, c := range checks {
		if !c.OK {
			failed++
		}
	}
	if asJSON {
		if err := a.printJSON(checks); err != nil {
			return err
		}
	} else {
		for _, c := range checks {
			mark := "ok  "
			switch {
			case !c.OK:
				mark = "FAIL"
			case c.Warn:
				mark = "WARN"
			}
			fmt.Fprintf(a.stdout, "%s  %-12s  %s\n", mark, c.Name, c.Detail)
		}
	}
	if failed > 0 {
		hint := "see the FAIL lines above"
		if asJSON {
			hint = `the failed checks are the objects with "ok": false in the JSON on stdout`
		}
		return &codedError{code: doctorExitCode(checks),
			err: withHint(fmt.Errorf("%d check(s) failed", failed), hint)}
	}
	return nil
}

// doctorExitCode ranks the failed checks (doctor --help documents it): a
// wrong passphrase first, then the node or network, then the rest.
func doctorExitCode(checks []doctorCheck) int {
	rank := map[int]int{exitBadPassphrase: 3, exitNetwork: 2, exitError: 1}
	worst := exitError
	for _, c := range checks {
		if c.OK {
			continue
		}
		code := exitError
		if c.err != nil {
			code = exitCode(&runError{err: c.err})
		}
		if rank[code] > rank[worst] {
			worst = code
		}
	}
	return worst
}
