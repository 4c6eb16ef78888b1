# The two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
OPENCAPF := build/release/src/cli/opencapf
DATA ?= var/opencapf
FUZZ_SECONDS ?= 20

.PHONY: all deps build build-asan run test test-release test-asan fuzz fuzz-long bench deb format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

# TFTP's port 69 needs root; anyone else gets 6969 (phones then need a forwarding rule).
RUN_FLAGS ?= $(if $(filter 0,$(shell id -u)),,--tftp-port 6969)

## make run: install what is missing, build, start the server on ./var/opencapf
run: build
	$(OPENCAPF) serve --data $(DATA) $(RUN_FLAGS)

## make test: the end-to-end tests against the -O2 binary, every test under ASan+UBSan, then the
## fuzzers for a bounded time; the builds overlap the test passes (scripts/test-suite)
test: deps
	@scripts/test-suite $(FUZZ_SECONDS)
	@echo "make test: all passed"

# The passes one at a time.
test-release: build
	@ctest --preset release -j2 --timeout 300

test-asan: build-asan
	@ctest --preset asan -j2 --timeout 600

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz --target fuzzers
	@scripts/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)

## make fuzz-long: every fuzzer for FUZZ_SECONDS (default 1200) from its kept corpus in
## fuzz/corpus/<target>/, as many at once as there are cores; what they find is merged back
fuzz-long: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz --target fuzzers
	@scripts/run-fuzzers build/fuzz/fuzz $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),1200) --merge

bench: build
	@for b in build/release/bench/*_bench; do echo "== $$b"; $$b; done
	@for s in bench/*.sh; do echo "== $$s"; bash $$s $(OPENCAPF); done

## make deb: the Debian package, opencapf_<version>_<arch>.deb here (docs/install.md), built by
## dpkg-buildpackage from a copy of the tree under build/deb, so the checkout stays clean
deb: deps
	@scripts/build-deb

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build
