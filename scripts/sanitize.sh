#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (g++), in its own
# build directory (build-ci-asan: CPU only, CLI on, benchmarks off). Any sanitizer report
# stops the test that made it, which then fails with the report in ctest's output.
#   bash scripts/sanitize.sh                 # extra arguments go to ctest, e.g. -R QpsReader
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
build=${BPQP_ASAN_BUILD_DIR:-build-ci-asan}
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
# RelWithDebInfo: optimized enough for the Maros–Mészáros tests, with line numbers in reports.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
  -DBPQP_ENABLE_CUDA=OFF -DBPQP_WITH_TORCH=OFF -DBPQP_BUILD_CLI=ON -DBPQP_BUILD_BENCHMARKS=OFF -DBPQP_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Tests that measure resident memory run apart with ASan's quarantine off: the quarantine holds
# back up to 256 MB of freed blocks (to catch use after free), which reads as growth.
memory_tests='DoNotGrowMemory'
# The Maros–Mészáros problems with n + m > 300 (Large/…) take minutes under the sanitizers for
# no code path the small ones do not take; the README's test command runs them.
ctest --test-dir "$build" -j2 --output-on-failure -E "$memory_tests|Large/MarosMeszaros" "$@"
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0" ctest --test-dir "$build" --output-on-failure -R "$memory_tests"
