package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"

	"github.com/spf13/cobra"
)

// TestDoctorClock checks that doctor measures the skew against the Date
// header of the node's health endpoint and reports the measured value.
func TestDoctorClock(t *testing.T) {
	tests := []struct {
		name       string
		offset     time.Duration // node clock minus ours
		wantErr    bool
		wantDetail string
	}{
		{"in step", 0, false, "node clock within 1s of ours"},
		{"node ahead", 20 * time.Second, false, "node clock 20s ahead of ours"},
		{"node behind", -45 * time.Second, false, "node clock 45s behind ours"},
		{"too far ahead", 90 * time.Second, true, "node clock 1m30s ahead of ours"},
		{"too far behind", -10 * time.Minute, true, "node clock 10m0s behind ours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
				r *http.Request) {
				if r.URL.Path != "/health" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Date", time.Now().Add(tt.offset).UTC().Format(http.TimeFormat))
			}))
			defer srv.Close()
			detail, err := (&app{}).doctorClock(context.Background(), srv.URL)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error: %v", err, tt.wantErr)
			}
			got := detail
			if err != nil {
				got = err.Error()
			}
			if !strings.HasPrefix(got, tt.wantDetail) && !closeSkew(got, tt.wantDetail) {
				t.Fatalf("got %q, want %q", got, tt.wantDetail)
			}
		})
	}
}

// closeSkew accepts a skew one second off the wanted one: the Date header
// has whole seconds, so the measured value may round either way.
func closeSkew(got, want string) bool {
	for _, d := range []time.Duration{-time.Second, time.Second} {
		fields := strings.Fields(want)
		w, err := time.ParseDuration(fields[2])
		if err != nil {
			return false
		}
		fields[2] = (w + d).String()
		if strings.HasPrefix(got, strings.Join(fields, " ")) {
			return true
		}
	}
	return false
}

// TestDoctorNode: with no node configured and no identity record found,
// doctor warns and fails instead of passing (issue #6 P10).
func TestDoctorNode(t *testing.T) {
	tests := []struct {
		name      string
		server    string
		records   int
		wantWarn  bool
		wantIdent bool
	}{
		{"no node, nothing published", "", 0, true, false},
		{"no node, published", "", 1, true, true},
		{"node, nothing published", "127.0.0.1:53", 0, false, false},
		{"node, published", "127.0.0.1:53", 2, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.Config{DNSServer: tt.server}
			var out bytes.Buffer
			a := &app{stdout: &out}
			checks := a.doctorNode(cfg, "id-x.mesh.example", tt.records, nil)
			if len(checks) != 2 || checks[0].Warn != tt.wantWarn ||
				checks[1].OK != tt.wantIdent {
				t.Fatalf("got %+v, want node warn %v, identity ok %v", checks, tt.wantWarn,
					tt.wantIdent)
			}
			err := a.doctorReport(checks, false)
			if (err == nil) != tt.wantIdent {
				t.Fatalf("report got %v, want failure: %v", err, !tt.wantIdent)
			}
			if tt.wantWarn && !strings.Contains(out.String(), "WARN  node") {
				t.Fatalf("report got %q, want a WARN line for the node", &out)
			}
		})
	}
}

// TestDoctorExitCode: doctor exits with the code of its most severe failed
// check, as its help says: 4 for a wrong passphrase, then 2 for the node
// or network, then 1.
func TestDoctorExitCode(t *testing.T) {
	unreachable := fmt.Errorf("read x: %w", dnsio.ErrUnreachable)
	tests := []struct {
		name   string
		checks []doctorCheck
		want   int
	}{
		{"all ok", []doctorCheck{{Name: "config", OK: true}}, exitOK},
		{"unpublished identity", []doctorCheck{{Name: "node", OK: true},
			{Name: "identity"}}, exitError},
		{"wrong passphrase", []doctorCheck{{Name: "config", OK: true},
			{Name: "keys", err: fmt.Errorf("unlock: %w", client.ErrWrongPassphrase)}},
			exitBadPassphrase},
		{"node down and clock unknown", []doctorCheck{{Name: "node", err: unreachable},
			{Name: "clock", err: errors.New("no register_url")}}, exitNetwork},
		{"local failure after a network one", []doctorCheck{
			{Name: "registration", err: unreachable}, {Name: "prekeys"}}, exitNetwork},
		{"network failure after a local one", []doctorCheck{{Name: "prekeys"},
			{Name: "registration", err: unreachable}}, exitNetwork},
		{"wrong passphrase after a network failure", []doctorCheck{
			{Name: "node", err: unreachable},
			{Name: "keys", err: fmt.Errorf("unlock: %w", client.ErrWrongPassphrase)}},
			exitBadPassphrase},
		{"health endpoint down", []doctorCheck{{Name: "clock",
			err: &codedError{err: errors.New("dial"), code: exitNetwork}}}, exitNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
			run := a.wrap(func(*cobra.Command, []string) error {
				return a.doctorReport(tt.checks, false)
			})
			if got := a.report(run(nil, nil)); got != tt.want {
				t.Fatalf("exit %d, want %d", got, tt.want)
			}
		})
	}
}

// TestDoctorJSONFailureHint: with --json the failure hint points at the
// JSON on stdout, not at FAIL lines that only the text report has.
func TestDoctorJSONFailureHint(t *testing.T) {
	checks := []doctorCheck{{Name: "config", OK: true}, {Name: "identity"}}
	for _, asJSON := range []bool{false, true} {
		var out, errs bytes.Buffer
		a := &app{stdout: &out, stderr: &errs}
		a.report(a.doctorReport(checks, asJSON))
		want := "dnsmesh: hint: see the FAIL lines above\n"
		if asJSON {
			want = `dnsmesh: hint: the failed checks are the objects with "ok": false ` +
				"in the JSON on stdout\n"
		}
		if !strings.HasSuffix(errs.String(), want) || strings.Contains(out.String(), "FAIL") ==
			asJSON {
			t.Errorf("json %v: stdout %q, stderr %q; want the hint %q", asJSON, &out, &errs,
				want)
		}
	}
}
