package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
