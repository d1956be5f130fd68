# JobEngine developer entry points. The README's quick start is `make run` and `make test`;
# both install what is missing (scripts/install-deps.sh) and build first.
#   make run     build (release) and start the engine with config/jobengine.toml
#   make test    the clang-format check, the ASan+UBSan build (clang, build-asan/) and the whole
#                suite on it, then the GCC release build — what CI runs first (.ci/run)
#   make test-tsan   the ThreadSanitizer build (build-tsan/) and its tests, failing on any report
#   make bench   build (release) and run the benchmarks (bench/README.md)
#   make bench-reference   graphile-worker and pg-boss measured the same way (npm; bench/reference)
#   make bench-compare     both in alternating rounds (ROUNDS, default 3), medians, ratios, AIM lines
#   make bench-sustained   constant load at half the drain rate for 5+ minutes, retention on
#   make fuzz    build the libFuzzer targets with clang (build-fuzz/) and run each FUZZ_SECONDS
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CONFIG ?= config/jobengine.toml

.PHONY: run test test-tsan format format-check deps build-release build-debug bench \
        bench-reference bench-compare bench-sustained clean fuzz

deps:
	@bash scripts/install-deps.sh

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target je_runtime

# A plain debug build (build/; gcc), for a debugger or a run without sanitizers: make test does
# not use it.
build-debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

run: build-release
	@bash scripts/run.sh $(CONFIG)

test: deps
	@bash scripts/test.sh

# ThreadSanitizer: scripts/test-tsan.sh (JE_TSAN_TESTS=<regex> narrows the tests)
test-tsan: deps
	@bash scripts/test-tsan.sh

bench: build-release
	@bash bench/run.sh

bench-reference:
	@bash bench/reference/run.sh

ROUNDS ?= 3
bench-compare: build-release
	@bash bench/compare.sh $(ROUNDS)

bench-sustained: build-release
	@cmake --build --preset release -j $(JOBS) --target je_bench_sustained >/dev/null
	@./build-release/bin/je_bench_sustained $(SUSTAINED_ARGS)

# libFuzzer targets (clang, build-fuzz/), FUZZ_SECONDS each (default 60); fuzz/README.md
fuzz: deps
	@bash fuzz/run.sh

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run -Werror

clean:
	@rm -rf build build-asan build-release build-tsan build-fuzz
