package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/pkg/dnsio"

	"github.com/miekg/dns"
)

// TestNodeHints checks that each node failure gets a hint saying what it
// means, not one pointing at text that is not there (issue #6 P9).
func TestNodeHints(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		want, not string
	}{
		{"BADKEY", &dnsio.RefusedError{Rcode: dns.RcodeNotAuth, TSIGCode: dns.RcodeBadKey},
			"does not know this TSIG key", "shown above"},
		{"BADKEY register", &dnsio.RefusedError{Rcode: dns.RcodeNotAuth,
			TSIGCode: dns.RcodeBadKey}, "dnsmesh tsig register", "shown above"},
		{"BADSIG", &dnsio.RefusedError{Rcode: dns.RcodeNotAuth, TSIGCode: dns.RcodeBadSig},
			"secret does not match", "shown above"},
		{"SERVFAIL update", &dnsio.RefusedError{Rcode: dns.RcodeServerFailure},
			"answered but could not serve", "is the node up"},
		{"SERVFAIL read", fmt.Errorf("read x: %w", &dnsio.RcodeError{Name: "x",
			Rcode: dns.RcodeServerFailure}), "its store may be down", "is the node up"},
		{"REFUSED with reason", &dnsio.RefusedError{Rcode: dns.RcodeRefused,
			Reasons: []string{"quota exceeded"}}, "reason is in the error above", ""},
		{"429 Retry-After", &dnsio.HTTPError{Status: 429, RetryAfter: "120"},
			"try again after 2m0s", ""},
		{"429", &dnsio.HTTPError{Status: 429}, "rate-limits registrations; try again later",
			""},
		{"timeout", fmt.Errorf("x: %w", dnsio.ErrUnreachable), "is the node up", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			a := &app{stderr: &stderr}
			a.report(&runError{err: tt.err})
			got := stderr.String()
			if !strings.Contains(got, tt.want) {
				t.Fatalf("got %q, want a hint with %q", got, tt.want)
			}
			if tt.not != "" && strings.Contains(got, tt.not) {
				t.Fatalf("got %q, want no %q", got, tt.not)
			}
		})
	}
}
