package register

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/regapi"
)

// rateNow is 20 minutes and 0.5 s into an hour window: Retry-After 2400.
var rateNow = time.Unix(1_700_000_000, 0).Truncate(time.Hour).Add(20*time.Minute +
	500*time.Millisecond)

// TestRateCountsRegistrations: with a rate of 2, two whole registrations
// (challenge and confirm each) from one address succeed, and the third is
// refused at its challenge with 429 and Retry-After, leaving no challenge
// outstanding and no third key.
func TestRateCountsRegistrations(t *testing.T) {
	srv, st := newServer(t, Config{Rate: 2, Window: time.Hour,
		Now: func() time.Time { return rateNow }})
	for _, user := range []string{"alice", "bob"} {
		if _, err := dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
			user+"@example.org", identity(t, user)); err != nil {
			t.Fatalf("registration of %s: %v", user, err)
		}
	}

	_, err := dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
		"carol@example.org", identity(t, "carol"))
	var he *dnsio.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusTooManyRequests ||
		he.RetryAfter != "2400" || !strings.HasSuffix(he.URL, regapi.ChallengePath) {
		t.Fatalf("third registration got %v, want 429 at the challenge, Retry-After 2400", err)
	}
	if ks, _ := st.ListKeys(context.Background()); len(ks) != 2 || len(st.chals) != 0 {
		t.Fatalf("%d keys and %d challenges stored, want 2 and none", len(ks), len(st.chals))
	}
}

// TestConfirmAttemptsBounded: confirms are not charged to the
// registration count, but their own bucket (twice the rate) bounds how
// many a source may send, so guessing challenges costs the store little.
func TestConfirmAttemptsBounded(t *testing.T) {
	h := New(Config{Node: "n", Zone: "z.", Rate: 2, Window: time.Hour,
		Now: func() time.Time { return rateNow }}, newMemStore())
	body := `{"subject": "a@example.org", "ed25519_spk": "` + strings.Repeat("00", 32) +
		`", "challenge": "` + strings.Repeat("ab", 32) + `", "signature": "` +
		strings.Repeat("00", 64) + `"}`
	for i := range 5 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, regapi.TSIGConfirmPath,
			strings.NewReader(body)))
		want, retry := http.StatusBadRequest, ""
		if i == 4 {
			want, retry = http.StatusTooManyRequests, "2400"
		}
		if rec.Code != want || rec.Header().Get("Retry-After") != retry {
			t.Fatalf("confirm %d got %d (Retry-After %q), want %d (%q)", i+1, rec.Code,
				rec.Header().Get("Retry-After"), want, retry)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, regapi.ChallengePath, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("challenge after spent confirms got %d, want 200: confirms are "+
			"not registrations", rec.Code)
	}
}
