# The two commands a new machine needs: `make run` and `make test`.
GO ?= go

.PHONY: run test fuzz generate lint lint-openapi lint-schema bench bench-peers load build

## run: serve the gateway on the embedded SQLite default (./data), with demo
## data. Built first and run as make's child, so that Ctrl-C shuts it down
## gracefully and make exits quietly (go run would report the signal).
run:
	@$(GO) build -o bin/gateway ./cmd/gateway
	bin/gateway serve

## test: every test, with the race detector, against SQLite and a throwaway PostgreSQL,
## and the end-to-end tests in e2e/ (node, graphql-ws, Chromium) against a built gateway
test:
	scripts/ensure-postgres
	scripts/ensure-node
	$(GO) test -race -count=1 ./...

## fuzz: each fuzz target (the GraphQL request and every REST body decoder)
## for a bounded number of inputs, from the seed corpus in testdata/fuzz.
## A count, not a time: it ends the same way on a slow machine.
FUZZ_COUNT ?= 20000x
FUZZ_TARGETS = ./graph:FuzzGraphQLRequest ./rest:FuzzReadFields ./rest:FuzzReadV1JSON ./rest:FuzzDecodeV2User
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t#*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZ_COUNT))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZ_COUNT) $$pkg; \
	done

## generate: regenerate the GraphQL code from schema.graphqls and graph/schema
generate:
	$(GO) tool gqlgen generate
	$(GO) run ./graph/internal/tracegen

## lint: go vet and staticcheck
lint:
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## lint-openapi: lint the OpenAPI document of the REST routes with Redocly's CLI (pinned), by redocly.yaml
REDOCLY_CLI ?= @redocly/cli@2.77.0
lint-openapi:
	npx --yes $(REDOCLY_CLI) lint --config redocly.yaml rest/openapi.json

## lint-schema: graphql-eslint (recommended and Relay rules, every element
## described) and graphql-inspector's breaking-change check against the
## released schema, both pinned (npm), by scripts/schema
lint-schema:
	scripts/schema/check

## bench: Go benchmarks, then the load script against a gateway on loopback
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	scripts/load

## bench-peers: the gateway beside PostGraphile (npm, pinned) and a bare Go
## handler (cmd/benchbare) over one throwaway PostgreSQL, with wrk: req/s,
## p50, p99 and the ratios (DURATION, CONNECTIONS)
bench-peers:
	scripts/bench-peers

## build: a static binary without cgo
build:
	CGO_ENABLED=0 $(GO) build -buildvcs=true -ldflags "-X main.buildTime=$$(date -u +%Y-%m-%dT%H:%M:%SZ)" -o bin/gateway ./cmd/gateway
