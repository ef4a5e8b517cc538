#!/usr/bin/env bash
# Builds, on a CPU machine with the CUDA toolkit, what scripts/gpu_checks.sh runs on a bare GPU
# machine (no Eigen, GoogleTest or package registry there): the gpu test binary, the backend
# suite and the benchmark driver for sm_90, copied into build-gpu/bundle/ with a manifest
# (commit, sizes, shared libraries they need), and the same as build-gpu/bundle.tgz.
# Prints their sizes.
#   bash scripts/gpu_bundle.sh            # then carry build-gpu/bundle.tgz to the GPU machine
# BPQP_GPU_BUILD_DIR=DIR: take the binaries from an existing CUDA build with tests and
# benchmarks on (the README's build/ where nvcc is found; sm_90 by default) instead of
# configuring build-gpu: the .cu files are the slow part, and they are not compiled twice.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
export PATH="$PATH:/usr/local/cuda/bin"
build=${BPQP_GPU_BUILD_DIR:-build-gpu}
if [ -z "${BPQP_GPU_BUILD_DIR:-}" ]; then
  cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DBPQP_ENABLE_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DBPQP_BUILD_TESTS=ON -DBPQP_BUILD_BENCHMARKS=ON -DBPQP_BUILD_CLI=OFF -DBPQP_WITH_TORCH=OFF >/dev/null
fi
grep -q "^BPQP_ENABLE_CUDA:STRING=ON\|^BPQP_ENABLE_CUDA:STRING=AUTO" "$build/CMakeCache.txt" &&
  grep -q "^CMAKE_CUDA_COMPILER:" "$build/CMakeCache.txt" ||
  { echo "gpu_bundle: $build is not a CUDA build" >&2; exit 1; }
architectures=$(sed -n 's/^CMAKE_CUDA_ARCHITECTURES:STRING=//p' "$build/CMakeCache.txt")
architectures="${architectures:-90, the project default}"
source=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
cmake --build "$build" -j"$(nproc)" --target test_gpu test_backend bpqp_bench

bundle=build-gpu/bundle
rm -rf "$bundle" && mkdir -p "$bundle"
cp "$build"/tests/test_gpu "$build"/tests/test_backend "$build"/benchmarks/bpqp_bench "$bundle/"
# Symbols only: the device code (.nv_fatbin) is a loaded section and stays.
strip "$bundle"/*
{
  echo "commit $(git -C "$source" rev-parse HEAD)$(git -C "$source" diff --quiet HEAD -- . ':!build-gpu' ||
    echo ' (with uncommitted changes)') from $source"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $build with $(nvcc --version | tail -1), CUDA architectures $architectures"
  for binary in "$bundle"/test_gpu "$bundle"/test_backend "$bundle"/bpqp_bench; do
    echo "$(basename "$binary") $(stat -c %s "$binary") bytes, needs: $(ldd "$binary" | awk '/=>/ {print $1}' | tr '\n' ' ')"
  done
} > "$bundle/MANIFEST"
cat "$bundle/MANIFEST"
# Compressed too: each binary holds the whole library's device code, and the lent GPU
# machines take at most 64 MiB of files per call, the checkout included.
tar -C build-gpu -czf build-gpu/bundle.tgz bundle
echo "bundle: $(du -sb "$bundle" | cut -f1) bytes in $bundle, $(stat -c %s build-gpu/bundle.tgz) bytes as build-gpu/bundle.tgz (carry either)"
