#!/usr/bin/env bash
# Everything that needs an NVIDIA GPU, in one command (issue: CUDA backend acceptance):
#   1. a CUDA build (sm_90) and the gpu-labelled tests;
#   2. compute-sanitizer memcheck, racecheck and synccheck on small batches (per-problem
#      path, warp tiles, the shared-data batch phase and its CUDA-graph loop, backward);
#   3. throughput: problems/s for forward and forward+backward, random QPs 100×20, float
#      and double, batches 1k/10k/100k, per-problem and shared P/A (bpqp_bench, JSON and
#      Markdown into the output folder).
#
#   bash scripts/gpu_checks.sh [OUT_DIR]     # default: build-gpu/checks
# Fails at the first failing step; without a usable GPU it says so and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-gpu/checks}
mkdir -p "$out"
export PATH="$PATH:/usr/local/cuda/bin"
if ! nvidia-smi -L; then
  echo "gpu_checks: no usable NVIDIA GPU (nvidia-smi failed)" >&2
  exit 2
fi
command -v cmake >/dev/null && dpkg -s libeigen3-dev libgtest-dev nlohmann-json3-dev >/dev/null 2>&1 ||
  bash scripts/install_deps.sh

jobs=$(nproc)
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DBPQP_ENABLE_CUDA=ON -DBPQP_BUILD_CLI=OFF \
  -DBPQP_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build-gpu -j"$jobs" --target test_gpu bpqp_bench

echo "== 1. gpu-labelled tests"
(cd build-gpu && ctest -L gpu --output-on-failure -j1) 2>&1 | tee "$out/gpu_tests.log"

echo "== 2. compute-sanitizer on small batches"
small='CudaForward/1.MatchesTheCpuBackendOnRandomBatches:CudaForward/1.WarpTilesAgree*:'
small+='CudaSharedData/*.EveryProblemGetsThePerProblemStatusAndACertifiedAnswer:'
small+='CudaSharedData/1.BatchPhaseIterationsCountAgainstMaxIter:CudaBackward*MatchesTheCpu*'
for tool in memcheck racecheck synccheck; do
  compute-sanitizer --tool "$tool" --error-exitcode 1 build-gpu/tests/test_gpu --gtest_filter="$small" \
    2>&1 | tail -n 40 | tee "$out/sanitizer_$tool.log"
done

echo "== 3. throughput (random QP 100×20)"
build-gpu/benchmarks/bpqp_bench --families random_qp --sizes 100x20 --batches 1024,10240,102400 \
  --precisions double,float --sharing per_problem,shared_PA --threads 0 --backends cuda \
  --cell-budget-s 20 --max-repeats 3 --reference-problems 16 \
  --json "$out/gpu_throughput.json" --markdown "$out/gpu_throughput.md"
cat "$out/gpu_throughput.md"
