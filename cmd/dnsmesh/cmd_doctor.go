package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

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
}

func newDoctorCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the config, keys, node, key registration and clock",
		Long: `doctor checks that the config loads, the passphrase unlocks the keys, the
node answers DNS, the registered TSIG key is accepted, prekeys are
published and the local clock agrees with the node's. It exits 1 when a
check fails.`,
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
		c := doctorCheck{Name: name, OK: err == nil, Detail: ok}
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
	addCheck("node", err, fmt.Sprintf("answers; %d identity record(s) at %s", len(vals), owner))
	addCheck("registration", a.doctorTSIG(ctx, c, owner), "the node accepts the TSIG key")
	live, _, err := c.PrekeyStatus()
	if err == nil && live == 0 {
		err = errors.New("no live prekeys; run 'dnsmesh identity refresh-prekeys'")
	}
	addCheck("prekeys", err, fmt.Sprintf("%d live", live))
	skew, err := a.doctorClock(ctx, c.Cfg.RegisterURL)
	addCheck("clock", err, fmt.Sprintf("within %s of the node", skew))
	return a.doctorReport(checks, asJSON)
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

// doctorClock compares the local clock with the Date header of the
// node's health endpoint.
func (a *app) doctorClock(ctx context.Context, base string) (time.Duration, error) {
	if base == "" {
		return 0, errors.New("no register_url to compare clocks with")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health", nil)
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return 0, fmt.Errorf("node sent no Date header")
	}
	skew := time.Since(date).Round(time.Second).Abs()
	if skew > maxClockSkew {
		return skew, fmt.Errorf("clock is %s off the node's", skew)
	}
	return maxClockSkew, nil
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
			if !c.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(a.stdout, "%s  %-12s  %s\n", mark, c.Name, c.Detail)
		}
	}
	if failed > 0 {
		return withHint(fmt.Errorf("%d check(s) failed", failed), "see the FAIL lines above")
	}
	return nil
}
