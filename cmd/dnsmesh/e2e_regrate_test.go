package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// regRateLimit edits e2eCorefile to a registration limit of 2 a day, and
// no claims (the test sends none): a day-long fixed window makes crossing
// into the next window during the test, which would reset the count, all
// but impossible.
func regRateLimit(corefile string) string {
	return strings.Replace(corefile, "registration_rate 0 1h\n        claims on\n",
		"registration_rate 2 24h\n", 1)
}

// retryAfterRE finds the node's Retry-After in the hint of a 429.
var retryAfterRE = regexp.MustCompile(`hint: the node rate-limits registrations; ` +
	`try again after (\S+)\n`)

// TestRegistrationRateCountsRegistrations: registration_rate 2 lets two
// whole `tsig register` runs from one address through (each makes a
// challenge and a confirm request), and refuses the third at its
// challenge with 429 and a Retry-After within the window.
func TestRegistrationRateCountsRegistrations(t *testing.T) {
	if testing.Short() { // before the wait for the window
		t.Skip("end-to-end test skipped in -short mode")
	}
	if left := regWindowLeft(); left < time.Minute {
		time.Sleep(left) // the count must not reset halfway through the test
	}
	n, _ := startE2ENode(t, regRateLimit)
	for i, name := range []string{"amy", "ben", "cat"} {
		u, _ := initUser(t, n, name)
		_, errs, code := u.run("", "tsig", "register")
		if i < 2 {
			if code != 0 {
				t.Fatalf("registration %d (%s) exited %d: %s", i+1, name, code, errs)
			}
			u.ok("identity", "publish") // the key it saved works
			continue
		}
		checkRateRefusal(t, errs, code)
	}
}

// regWindowLeft is the time left in the node's fixed 24h rate window,
// which starts at a multiple of 24h since the Unix epoch.
func regWindowLeft() time.Duration {
	const window = 24 * time.Hour
	return window - time.Duration(time.Now().UnixNano()%int64(window))
}

// checkRateRefusal fails unless a tsig register was refused at the
// challenge with HTTP 429 and a hint naming the Retry-After: the rest of
// the rate window.
func checkRateRefusal(t *testing.T, errs string, code int) {
	t.Helper()
	if code != exitNetwork || !strings.Contains(errs, "/v1/registration/challenge: HTTP 429") {
		t.Fatalf("third registration exited %d with %q, want exit %d and HTTP 429 at the "+
			"challenge", code, errs, exitNetwork)
	}
	m := retryAfterRE.FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("third registration stderr %q has no Retry-After hint", errs)
	}
	got, err := time.ParseDuration(m[1])
	want := regWindowLeft()
	if err != nil || got < want-10*time.Second || got > want+time.Second {
		t.Fatalf("Retry-After hint %q, want about %v (the rest of the window)", m[1], want)
	}
}
