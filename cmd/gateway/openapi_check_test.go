package main

import "testing"

// checkOpenAPI checks that a REST answer matches the OpenAPI document:
// the route and status are documented and the body fits the schema.
// TODO(#5): validate against /openapi.json.
func checkOpenAPI(t *testing.T, name, method, path string, status int, body []byte) {
	t.Helper()
}
