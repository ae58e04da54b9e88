// Package httpjson writes the JSON replies of the node's HTTP endpoints
// (registration, records-server-cli.md §B.8, and key administration,
// DECISIONS N7): a body, its content type and a status, and the
// {"error": "..."} body of every failure.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write sends v as JSON with the given status. A value that cannot be
// encoded becomes a 500 with a generic error body.
func Write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// Error sends {"error": msg} with the given status.
func Error(w http.ResponseWriter, status int, msg string) {
	Write(w, status, map[string]string{"error": msg})
}
