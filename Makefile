# evtrigger: `make run` runs the whole thing on this machine, `make test` passes the tests.
# Both install what they need (the Temporal CLI for the dev server, pinned) on first use.

SHELL := /bin/bash
GO ?= go
TEMPORAL_VERSION := 1.5.1
WORKFLOWCHECK_VERSION := v0.6.0
CACHE_DIR ?= $(HOME)/.cache/evtrigger
TEMPORAL_BIN := $(CACHE_DIR)/temporal-$(TEMPORAL_VERSION)/temporal
WORKFLOWCHECK_BIN := $(CACHE_DIR)/tools/workflowcheck-$(WORKFLOWCHECK_VERSION)/workflowcheck
BIN := bin/evtrigger
export EVTRIGGER_TEMPORAL_BIN := $(TEMPORAL_BIN)

.PHONY: run build test test-faults check fmt temporal test-deps clean services bench bench-full bench-soak evbench

## run: build evtrigger and run `evtrigger dev` (Temporal dev server + UI, worker, ingress, API)
run: build $(TEMPORAL_BIN)
	./$(BIN) dev $(ARGS)

## build: build the evtrigger binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/evtrigger

## test: static checks, then every test with the race detector against a real Temporal dev server
test: check test-deps services $(TEMPORAL_BIN)
	$(GO) test -race -count=1 -timeout 30m ./...

## test-faults: the fault suite (faults/, build tag faults): the evtrigger binary as worker and
## ingress processes against a real Temporal dev server, kfake, RabbitMQ and PostgreSQL, with
## processes killed and servers restarted under load; every case must lose no event and run no
## task twice. Prints the results table (docs/RELIABILITY.md) and writes it to bin/faults-results.md.
## The binary is built without the race detector: the cases measure throughput and recovery.
test-faults: build services $(TEMPORAL_BIN)
	$(GO) vet -tags faults ./faults/
	FAULTS_RESULTS=$(CURDIR)/bin/faults-results.md EVTRIGGER_BIN=$(CURDIR)/$(BIN) \
	  $(GO) test -tags faults -count=1 -timeout 40m -v ./faults/... $(FAULTS_ARGS)

## services: start the RabbitMQ and PostgreSQL the tests use, installing RabbitMQ if missing
services:
	scripts/postgres.sh
	scripts/rabbitmq.sh

## bench: measure on the embedded stack (Temporal ceiling, end to end, filtered, rules, memory),
## print the table and write it into docs/BENCHMARKS.md; about 10 minutes on 2 cores
bench: evbench $(TEMPORAL_BIN)
	./bin/evbench --label "make bench" --runs 3 --n 1000 --paced 15s --doc docs/BENCHMARKS.md $(BENCH_ARGS)

## bench-full: the same with 5,000 events per saturated phase and 30 s latency phases
bench-full: evbench $(TEMPORAL_BIN)
	./bin/evbench --label "make bench-full" --runs 3 --n 5000 --paced 30s --doc docs/BENCHMARKS.md $(BENCH_ARGS)

## bench-soak: a steady 20 events/s end to end for SOAK (default 10m), RSS every 30 s
SOAK ?= 10m
bench-soak: evbench $(TEMPORAL_BIN)
	./bin/evbench --soak $(SOAK) $(BENCH_ARGS)

evbench:
	$(GO) build -o bin/evbench ./bench/cmd/evbench

## test-deps: Debian packages the tests use (kcat; promtool from prometheus; docker-compose to
## validate docker-compose.yml without an engine), installed if missing
test-deps:
	@missing=""; for p in kcat:kcat promtool:prometheus docker-compose:docker-compose; do \
	  command -v $${p%%:*} >/dev/null || missing="$$missing $${p#*:}"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	  fi

## check: gofmt, go vet, workflowcheck (determinism of workflow code)
check: $(WORKFLOWCHECK_BIN)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(WORKFLOWCHECK_BIN) ./workflows/...

fmt:
	gofmt -w $$(git ls-files '*.go')

## temporal: install the pinned Temporal CLI (dev server); a cold build takes several minutes
temporal: $(TEMPORAL_BIN)
$(TEMPORAL_BIN):
	@echo "installing temporal CLI v$(TEMPORAL_VERSION) into $(dir $@) (first time only; a cold build takes minutes)"
	GOBIN=$(dir $@) $(GO) install github.com/temporalio/cli/cmd/temporal@v$(TEMPORAL_VERSION)

$(WORKFLOWCHECK_BIN):
	GOBIN=$(dir $@) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

clean:
	rm -rf bin .evtrigger
