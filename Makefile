# oretrail: the developer's entry points. `make demo` and `make check` are the
# two commands of the README; the other targets are for working on the code.
# CMake does the building; this file only names the configurations.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Each recipe runs its steps in order; cmake and ctest parallelise inside.
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

JOBS ?= 2
CLANG ?= clang
CLANG_FORMAT ?= clang-format
FUZZ_TIME ?= 20
# browser: node and npm for the dashboard (web/), chromium for its tests.
DEPS ?= test browser

CMAKE_BUILD := cmake --build
CTEST := ctest --output-on-failure -j$(JOBS)
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
FORMAT_DIRS := src include tests bench fuzz web/wasm

.PHONY: all deps web-deps build demo check check-sanitize fuzz bench format format-check clean

all: build

deps:
	scripts/install-deps $(DEPS)

# The dashboard's npm packages come from web/package-lock.json (`npm ci`,
# only when web/node_modules is missing or older than the lock file); the
# build bundles them into `oretrail serve`. Without npm, the build goes on
# without the dashboard (OT_BUILD_WEB).
web-deps:
	if command -v npm >/dev/null 2>&1; then sh web/npm-ci.sh; fi

build: web-deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE_BUILD) build -j$(JOBS)

demo: deps build
	scripts/demo

check: deps build
	$(CTEST) --test-dir build

check-sanitize: deps web-deps
	cmake -S . -B build-asan -DCMAKE_C_COMPILER=$(CLANG) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DOT_SANITIZE=address,undefined
	$(CMAKE_BUILD) build-asan -j$(JOBS)
	$(SANITIZE_ENV) $(CTEST) --test-dir build-asan

# Each fuzz_* target runs for FUZZ_TIME seconds. New inputs go to a working
# corpus under build-fuzz/; the seeds in fuzz/corpus/NAME are only read.
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=$(CLANG) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DOT_BUILD_FUZZERS=ON -DOT_BUILD_TESTS=OFF -DOT_SANITIZE=address,undefined -DOT_BUILD_WEB=OFF
	$(CMAKE_BUILD) build-fuzz -j$(JOBS)
	@failed=(); found=0; \
	for bin in build-fuzz/fuzz/fuzz_*; do \
		[ -f "$$bin" ] && [ -x "$$bin" ] || continue; \
		found=1; name=$${bin##*/fuzz_}; \
		mkdir -p build-fuzz/corpus/$$name build-fuzz/artifacts/$$name; \
		seeds=(); [ -d fuzz/corpus/$$name ] && seeds=(fuzz/corpus/$$name); \
		echo "fuzz: $$name for $(FUZZ_TIME)s"; \
		if $(SANITIZE_ENV) "$$bin" -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/artifacts/$$name/ \
			build-fuzz/corpus/$$name "$${seeds[@]}" > build-fuzz/$$name.log 2>&1; then \
			grep -h '^Done' build-fuzz/$$name.log || true; \
		else \
			tail -n 60 build-fuzz/$$name.log; failed+=($$name); \
		fi; \
	done; \
	[ $$found = 1 ] || { echo "fuzz: no fuzz_* binaries in build-fuzz/fuzz"; exit 1; }; \
	[ $${#failed[@]} = 0 ] || { echo "fuzz: failed: $${failed[*]} (inputs in build-fuzz/artifacts/)"; exit 1; }; \
	echo "fuzz: all targets ran clean"

bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DOT_BUILD_BENCH=ON -DOT_BUILD_TESTS=OFF -DOT_BUILD_WEB=OFF
	$(CMAKE_BUILD) build-bench -j$(JOBS)
	if [ -x bench/run ]; then bench/run build-bench; else echo "bench: no bench/run yet"; fi

FORMAT_FILES = find $(wildcard $(FORMAT_DIRS)) \( -name '*.c' -o -name '*.h' \) \
		-not -path 'tests/data/*' -not -path 'fuzz/corpus/*' -print0

format:
	$(FORMAT_FILES) | xargs -0 -r $(CLANG_FORMAT) -i

# What CI checks: every C file as `make format` would leave it.
format-check:
	scripts/install-deps dev
	$(FORMAT_FILES) | xargs -0 -r $(CLANG_FORMAT) --dry-run --Werror
	@echo "format: clean"

clean:
	rm -rf build build-asan build-fuzz build-bench build-ci
