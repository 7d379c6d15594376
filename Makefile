# Thin wrapper over CMake. `make run` and `make test` do everything on a fresh
# Debian machine: install missing packages, build, then run or test.
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
NETWORK ?= main
CMAKE   ?= cmake
FUZZ_SECONDS ?= 60

.PHONY: all deps build build-asan build-fuzz test test-release test-asan test-fuzz \
        run fuzz bench bench-reindex format clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	$(CMAKE) --build build -j $(JOBS)

build-asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBLVM_SANITIZE=ON >/dev/null
	$(CMAKE) --build build-asan -j $(JOBS)

build-fuzz: deps
	CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLVM_FUZZ=ON >/dev/null
	$(CMAKE) --build build-fuzz -j $(JOBS)

# Every test: the Release build, the same tests under ASan+UBSan, then each
# fuzz target for a short bounded time from its seed corpus.
test: test-release test-asan test-fuzz

test-release: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS) -LE slow

test-fuzz: build-fuzz
	BLVM_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --test-dir build-fuzz --output-on-failure -L fuzz

# Longer fuzzing: FUZZ_SECONDS per target.
fuzz: build-fuzz
	@for t in build-fuzz/bin/fuzz_*; do \
	  echo "== $$t ($(FUZZ_SECONDS)s)"; \
	  mkdir -p build-fuzz/corpus/$$(basename $$t); \
	  $$t -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$$(basename $$t) \
	      tests/fuzz/corpus/$$(basename $$t) || exit 1; \
	done

run: build
	@if [ -x build/bin/blvmd ]; then \
	  exec build/bin/blvmd -chain=$(NETWORK) -printtoconsole; \
	else \
	  for t in build/bin/blvm*; do echo "== $$t"; $$t --version; done; \
	fi

bench: build
	build/bin/blvm-bench

# -reindex-chainstate at -par=1 and -par=2 on a generated 1,110-block regtest
# chain of signed spends (cached in build/reindex-bench); prints numbers only.
# Extra options: make bench-reindex BENCH_ARGS="--repeat 5 --inputs 200"
bench-reindex: build
	python3 bench/reindex_bench.py --builddir build $(BENCH_ARGS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz
