package dnsio

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A refused registration keeps the status, the node's reason and any
// Retry-After header for the CLI's hint.
func TestRegisterHTTPError(t *testing.T) {
	tests := []struct {
		name, retry string
	}{
		{"with Retry-After", "120"},
		{"without Retry-After", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
				_ *http.Request) {
				if tt.retry != "" {
					w.Header().Set("Retry-After", tt.retry)
				}
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte(`{"error":"registration rate limit exceeded"}`))
			}))
			defer srv.Close()
			_, err := RegisterTSIG(context.Background(), srv.Client(), srv.URL, "amy", nil)
			var he *HTTPError
			if !errors.As(err, &he) || !errors.Is(err, ErrRegistration) {
				t.Fatalf("got %v, want an HTTPError wrapping ErrRegistration", err)
			}
			if he.Status != 429 || he.RetryAfter != tt.retry ||
				he.Reason != "registration rate limit exceeded" {
				t.Fatalf("got %+v, want 429, Retry-After %q and the node's reason", he,
					tt.retry)
			}
		})
	}
}
