#!/usr/bin/env bash
# The main job: build bpqp and solve a batch of 4096 random feasible 100×20 QPs
# (the BPQP paper's size) on the CPU — and on the GPU too when one is present —
# printing problems/second, statuses and KKT accuracy. Extra arguments go to `bpqp demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
export PATH="$PATH:/usr/local/cuda/bin"
# The CUDA backend only where a GPU can run it: on a machine without one, nvcc would spend
# most of the demo's minutes compiling code that cannot run (the test command and CI still
# compile it everywhere).
cuda=OFF
if nvidia-smi -L >/dev/null 2>&1 && command -v nvcc >/dev/null 2>&1; then cuda=AUTO; fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBPQP_BUILD_TESTS=OFF -DBPQP_BUILD_BENCHMARKS=OFF \
  -DBPQP_ENABLE_CUDA=$cuda >/dev/null
cmake --build build -j"$(nproc)" --target bpqp_cli
./build/bpqp demo --batch 4096 --n 100 --m 20 "$@"
if ./build/bpqp demo --batch 1 --backend cuda >/dev/null 2>&1; then
  ./build/bpqp demo --batch 4096 --n 100 --m 20 --backend cuda "$@"
else
  echo "(no usable GPU here: the CUDA demo was skipped)"
fi
