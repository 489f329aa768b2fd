# tcdind — build and test. `make test` is what CI runs (.ci/run).
GO ?= go
FUZZTIME ?= 10s
BIN := bin/tcdind

.PHONY: build test unit fuzz bench vet clean

build:
	$(GO) build -o $(BIN) .

# Everything: vet, every package's tests (corpus conformance, cfn-lint,
# moto_server integration, TUI snapshots), then a short fuzz run of the engine.
test: vet unit fuzz

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -timeout 15m ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./dind/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./dind/

clean:
	rm -rf bin dist
