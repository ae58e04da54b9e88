package register

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/dnsio"
	"github.com/dnsmesh/dmp/pkg/regapi"
)

// downStore is a store that does not answer.
type downStore struct{ *memStore }

var errDown = errors.New("store down")

func (downStore) PutChallenge(context.Context, string, []byte, time.Duration) error {
	return errDown
}

func (downStore) Allow(context.Context, string, int, time.Duration, time.Time) (bool, error) {
	return false, errDown
}

func (downStore) Ping(context.Context) error { return errDown }

// TestRetryAfter checks the Retry-After a 429 and a 503 carry: the rest
// of the fixed rate window, and StoreRetryAfter for a store that does not
// answer.
func TestRetryAfter(t *testing.T) {
	// 20 minutes and 0.5 s into an hour window: 39 min 59.5 s left, so 2400.
	now := time.Unix(1_700_000_000, 0).Truncate(time.Hour).Add(20*time.Minute +
		500*time.Millisecond)
	limited := Config{Node: "n", Zone: "z.", Rate: 1, Window: time.Hour,
		Now: func() time.Time { return now }}
	tests := []struct {
		name       string
		cfg        Config
		st         Store
		method     string
		path       string
		wantStatus int
		wantRetry  string
	}{
		{"rate limited", limited, newMemStore(), http.MethodGet, regapi.ChallengePath,
			http.StatusTooManyRequests, "2400"},
		{"limit store down", limited, downStore{newMemStore()}, http.MethodGet,
			regapi.ChallengePath, http.StatusServiceUnavailable, "5"},
		{"challenge store down", Config{Node: "n"}, downStore{newMemStore()},
			http.MethodGet, regapi.ChallengePath, http.StatusServiceUnavailable, "5"},
		{"health degraded", Config{Node: "n"}, downStore{newMemStore()}, http.MethodGet,
			regapi.HealthPath, http.StatusServiceUnavailable, "5"},
		{"health ok", Config{Node: "n"}, newMemStore(), http.MethodGet, regapi.HealthPath,
			http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(tt.cfg, tt.st)
			var rec *httptest.ResponseRecorder
			for range 2 { // the second request is over a limit of 1
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			}
			got := rec.Header().Get("Retry-After")
			if rec.Code != tt.wantStatus || got != tt.wantRetry {
				t.Fatalf("got %d with Retry-After %q, want %d with %q", rec.Code, got,
					tt.wantStatus, tt.wantRetry)
			}
		})
	}
}

// TestRetryAfterReachesClient registers twice over a limit of one
// registration and checks that the client reports the node's Retry-After.
func TestRetryAfterReachesClient(t *testing.T) {
	srv, _ := newServer(t, Config{Rate: 1, Window: time.Minute})
	id := identity(t, "alice")
	if _, err := dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
		"alice@mesh.example", id); err != nil {
		t.Fatalf("first registration: %v", err)
	}
	_, err := dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
		"alice@mesh.example", id)
	var he *dnsio.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusTooManyRequests || he.RetryAfter == "" {
		t.Fatalf("got %v, want HTTP 429 with a Retry-After", err)
	}
}
