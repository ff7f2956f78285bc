// Package jsonhttp writes JSON answers: the one helper the legacy surfaces
// and the gateway's own routes (health, the body limit) share.
package jsonhttp

import (
	"encoding/json"
	"net/http"
)

// Write writes v as JSON with the status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
