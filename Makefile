# tcdind — build and test. `make test` is what CI runs (.ci/run).
GO ?= go
FUZZTIME ?= 10s
BIN := bin/tcdind

.PHONY: build test unit fuzz bench vet clean completions man release-check snapshot screenshot

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) .

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

# Release tooling; not part of `make test` (CI machines need not have goreleaser:
# go install github.com/goreleaser/goreleaser/v2@v2.15.1).
GORELEASER ?= goreleaser

completions:
	./scripts/completions.sh

man:
	./scripts/manpage.sh

release-check:
	$(GORELEASER) check

snapshot:
	$(GORELEASER) release --snapshot --clean

# docs/review.png: the wizard's review screen, via tmux and charmbracelet/freeze.
screenshot: build
	./scripts/screenshot.sh

clean:
	rm -rf bin dist completions manpages
