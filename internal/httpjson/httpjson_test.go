package httpjson

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w http.ResponseWriter)
		wantStatus int
		wantBody   string
	}{
		{"value", func(w http.ResponseWriter) { Write(w, http.StatusCreated, []int{1, 2}) },
			http.StatusCreated, `[1,2]`},
		{"error", func(w http.ResponseWriter) { Error(w, http.StatusTooManyRequests, "slow") },
			http.StatusTooManyRequests, `{"error":"slow"}`},
		{"unencodable", func(w http.ResponseWriter) { Write(w, http.StatusOK, math.NaN()) },
			http.StatusInternalServerError, `{"error":"internal error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Fatalf("got %d %s, want %d %s", rec.Code, rec.Body, tt.wantStatus,
					tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("got Content-Type %q, want application/json", ct)
			}
		})
	}
}
