# tcdind — build and test. `make test` is what CI runs (.ci/run).
GO ?= go
FUZZTIME ?= 10s
BIN := bin/tcdind
# Stamped like a release build: the nearest v* tag (0.0.0-dev before the
# first), the commit and its date.
VERSION ?= $(shell git describe --tags --match 'v*' 2>/dev/null | sed 's/^v//' | grep . || echo 0.0.0-dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE ?= $(shell git log -1 --format=%cI 2>/dev/null)
LDFLAGS := -X github.com/tcdind/tcdind/buildinfo.version=$(VERSION) \
	-X github.com/tcdind/tcdind/buildinfo.commit=$(COMMIT) \
	-X github.com/tcdind/tcdind/buildinfo.date=$(DATE)

.PHONY: build test unit fuzz bench vet clean completions man release-check snapshot screenshot

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

# Everything: vet, every package's tests (corpus conformance, cfn-lint,
# moto_server integration, TUI snapshots), then a short fuzz run of the engine.
test: vet unit fuzz

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -timeout 15m ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzApply$$' -fuzztime $(FUZZTIME) ./dind/
	$(GO) test -run '^$$' -fuzz '^FuzzHalves$$' -fuzztime 5s ./dind/
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime 5s ./dind/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 5s ./clusterquery/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./dind/ .

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
