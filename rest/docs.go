package rest

import "net/http"

// OpenAPI serves /openapi.json: the OpenAPI 3.1 document of every legacy
// route.
func OpenAPI() http.Handler { return notYet() }

// Docs serves /docs: the page that renders the OpenAPI document, with its
// assets from the binary.
func Docs() http.Handler { return notYet() }
