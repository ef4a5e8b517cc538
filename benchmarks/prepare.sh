#!/usr/bin/env bash
# What every benchmark script does first: the system packages (scripts/install_deps.sh), a
# Release build of the named targets in build-bench (no -march=native, tests off), and the
# peers' Python environment (benchmarks/peers/setup_env.sh, build/peers-venv). Run from the
# repository root; cmake options after "--" are added to the configure step.
#
#   bash benchmarks/prepare.sh TARGET... [-- CMAKE_OPTION...]
set -euo pipefail
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
[ $# -gt 0 ] && shift
bash scripts/install_deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBPQP_BUILD_TESTS=OFF -DBPQP_BUILD_CLI=ON \
  -DBPQP_NATIVE=OFF "$@" >/dev/null
cmake --build build-bench -j"$(nproc)" --target "${targets[@]}"
bash benchmarks/peers/setup_env.sh build/peers-venv
