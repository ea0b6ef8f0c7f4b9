# copvec build, test and CI entry points. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
GO    ?= go
PKGS  ?= ./...
# Packages with architecture-specific code, tested natively and on arm64 under qemu.
ARCH_PKGS := ./chunk/... ./kernels/...
# Packages that run on kernels, tested again with SIMD dispatch turned off.
GENERIC_PKGS := ./chunk/... ./kernels/... ./runtime/...
STATICCHECK_VERSION := v0.8.2
QEMU_AARCH64 ?= qemu-aarch64-static
FUZZTIME ?= 20s

.PHONY: tpch-answers all build deps test fmt-check vet unit unit-generic arm64 generate check-generated bench fuzz lint demo clean

all: build

build:
	$(GO) build $(PKGS)

## test: everything CI checks — formatting, vet, staticcheck, generated code, unit tests (SIMD and
## generic kernels), and the arm64 run under qemu.
test: deps fmt-check vet lint check-generated unit unit-generic arm64

## deps: install the system packages the tests use (qemu-user-static, protobuf-compiler, aarch64
## binutils, mariadb-client) when they are missing and apt-get is available.
deps:
	@scripts/deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -count=1 $(PKGS)

## unit-generic: the kernel-using packages again with SIMD dispatch turned off.
unit-generic:
	COPVEC_KERNELS=generic $(GO) test -count=1 $(GENERIC_PKGS)

## arm64: cross-compile the architecture-specific tests and run them under qemu user-mode emulation.
arm64:
	@if command -v $(QEMU_AARCH64) >/dev/null 2>&1; then \
		echo "arm64: running $(ARCH_PKGS) under $(QEMU_AARCH64)"; \
		GOARCH=arm64 $(GO) test -count=1 -exec $(QEMU_AARCH64) $(ARCH_PKGS); \
	elif [ "$${REQUIRE_ARM64:-0}" = 1 ]; then \
		echo "arm64: $(QEMU_AARCH64) not found and REQUIRE_ARM64=1; install it: apt-get install qemu-user-static"; exit 1; \
	else \
		echo "arm64: SKIPPED — $(QEMU_AARCH64) not found. Install it with: apt-get install qemu-user-static"; \
	fi

generate:
	$(GO) generate $(PKGS)

## check-generated: regenerate and fail when any file changes (works in a dirty tree too).
check-generated:
	@scripts/check-generated.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## fuzz: run every fuzz target briefly (FUZZTIME each).
fuzz:
	@scripts/fuzz-all.sh $(FUZZTIME)

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

## tpch-answers: DuckDB's answers to the 22 TPC-H queries at SF 0.01 (needs cgo; the separate
## bench/duckdb module links DuckDB, the main module does not).
tpch-answers:
	cd bench/duckdb && $(GO) run . answers -sf 0.01 -out ../tpch/dbgen/testdata/answers/sf0.01

demo:
	@$(GO) run ./cmd/copvec demo --sf 0.1

clean:
	$(GO) clean -testcache
