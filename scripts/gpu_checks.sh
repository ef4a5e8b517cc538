#!/usr/bin/env bash
# Everything that needs an NVIDIA GPU, as one short run on a bare, short-lived GPU machine:
#
#   bash scripts/gpu_bundle.sh                 # here, on a CPU machine: build-gpu/bundle(.tgz), sm_90
#   bash scripts/gpu_checks.sh OUT_DIR         # there, with build-gpu/bundle.tgz (or bundle/) carried
#   bash scripts/gpu_checks.sh --dry-run       # the steps and their time limits
#
# Without a bundle it builds one first (which needs Eigen, GoogleTest and nlohmann-json: not
# there on the lent machines). Each step runs in its own process under its own time limit and
# writes OUT_DIR/<step>.log; OUT_DIR/summary.txt gets a line per step as it ends, so a step that
# crashes or hangs leaves the others' results. A failed step does not stop the rest.
# Steps, most valuable first: (1) the shared-P/A batch phase (its CUDA graph with a WHILE node
# and cuBLAS in the body), (2) the per-problem forward (block, partial warps, warp tiles, shared
# and global workspace, 10⁵ problems), (3) backward, device-pointer API, reliability, (3b) the
# sparse path's conjugate gradient on the GPU (CudaSparse), (4) the whole backend suite on the CUDA executor, (5) compute-sanitizer memcheck, racecheck and
# synccheck on one small test each, (6) the throughput table (random QP 100×20, float and
# double, batches 10³/10⁴/10⁵, per-problem and shared P/A, forward and forward + backward).
#
# Sizing: nothing here has run on a GPU yet, so the limits are estimates, not measurements:
# the tests' own CPU references dominate the test steps (the two 10⁵-problem tests solve their
# batch on the CPU too, on 16 cores there), sanitizers slow a kernel 10–100× (hence one small
# test each), and a throughput cell is capped at 10 s. The limits add up to 555 s; the whole
# run is held to BPQP_GPU_CHECKS_BUDGET seconds (default 540, inside one 600 s device call):
# a step gets at most what is left, and one that would get under 20 s is skipped and says so.
set -uo pipefail
cd "$(dirname "$0")/.."
dry_run=0
if [ "${1:-}" = "--dry-run" ]; then dry_run=1; shift; fi
out=${1:-build-gpu/checks}
budget=${BPQP_GPU_CHECKS_BUDGET:-540}
bundle=build-gpu/bundle
export PATH="$PATH:/usr/local/cuda/bin"
start_all=$(date +%s)

# step NAME LIMIT_S COMMAND...: runs COMMAND under its limit, logs it, appends its verdict.
step() {
  local name=$1 limit=$2
  shift 2
  if [ $dry_run = 1 ]; then
    printf '%-28s %4d s  %s\n' "$name" "$limit" "$*"
    return 0
  fi
  local left=$(( budget - ($(date +%s) - start_all) ))
  [ "$left" -lt "$limit" ] && limit=$left
  if [ "$limit" -lt 20 ]; then
    printf '%-28s skipped: %d s of the budget left\n' "$name" "$left" | tee -a "$out/summary.txt"
    return 0
  fi
  local begin rc=0
  begin=$(date +%s)
  echo "== $name (limit $limit s): $*"
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.log" 2>&1 || rc=$?
  local verdict="passed" skipped
  skipped=$(grep -oE '^\[  SKIPPED \] [0-9]+ test' "$out/$name.log" | grep -oE '[0-9]+$' || true)
  [ -n "$skipped" ] && verdict="passed, $skipped SKIPPED"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then verdict="TIMED OUT at $limit s"
  elif [ $rc -ne 0 ]; then verdict="FAILED (rc $rc)"; fi
  printf '%-28s %-20s %4d s\n' "$name" "$verdict" "$(( $(date +%s) - begin ))" | tee -a "$out/summary.txt"
  tail -n 5 "$out/$name.log"
}

tests="$bundle/test_gpu"
backend="$bundle/test_backend"
bench="$bundle/bpqp_bench"
sanitizer_filter() {  # one small test per tool
  case $1 in
    memcheck) echo 'CudaForward/1.MatchesTheCpuBackendOnRandomBatches:CudaBackward/1.*:CudaSparse.MixedBatch*' ;;
    racecheck) echo 'CudaForward/1.WarpTilesAgree*:CudaForward/1.SharedAndGlobalMemoryWorkspacesGiveTheSameAnswerToRounding' ;;
    synccheck) echo 'CudaBatchPhase/1.EveryProblemGetsThePerProblemStatusAndACertifiedAnswer:CudaSparse.MixedBatch*' ;;
  esac
}

run_steps() {
  step batch_phase 60 "$tests" --gtest_filter='CudaBatchPhase/*'
  step forward 90 "$tests" --gtest_filter='CudaForward/*'
  step backward_device_reliability 60 "$tests" --gtest_filter='CudaBackward*:CudaDeviceApi*:CudaReliability*'
  step sparse 30 "$tests" --gtest_filter='CudaSparse.*'
  step backend_suite_on_cuda 75 env BPQP_TEST_EXECUTOR=cuda "$backend" --gtest_filter='-*MarosMeszaros*'
  for tool in memcheck racecheck synccheck; do
    step "sanitizer_$tool" 40 compute-sanitizer --tool "$tool" --error-exitcode 1 "$tests" \
      --gtest_filter="$(sanitizer_filter $tool)"
  done
  for batch in 1024 10240 102400; do
    # One bpqp_bench run per batch size, so that a slow large batch leaves the smaller tables.
    step "throughput_$batch" 40 "$bench" --families random_qp --sizes 100x20 --batches "$batch" \
      --precisions double,float --sharing per_problem,shared_PA --threads 0 --backends cuda \
      --cell-budget-s 10 --max-repeats 3 --min-time-s 0.2 --reference-problems 16 \
      --json "$out/throughput_$batch.json" --markdown "$out/throughput_$batch.md"
  done
}

if [ $dry_run = 1 ]; then
  echo "steps (name, time limit, command), each in its own process; the run is held to $budget s:"
  run_steps
  exit 0
fi

mkdir -p "$out"
: > "$out/summary.txt"
if [ ! -x "$tests" ] && [ -f build-gpu/bundle.tgz ]; then
  tar -C build-gpu -xzf build-gpu/bundle.tgz
  echo "extracted build-gpu/bundle.tgz ($(stat -c %s build-gpu/bundle.tgz) bytes)" | tee -a "$out/summary.txt"
fi
if [ ! -x "$tests" ]; then
  echo "gpu_checks: no prebuilt $bundle: building it here (bash scripts/gpu_bundle.sh)"
  bash scripts/gpu_bundle.sh || { echo "gpu_checks: building the bundle failed" | tee -a "$out/summary.txt"; exit 1; }
fi
echo "bundle: $(du -sb "$bundle" | cut -f1) bytes ($(du -sh "$bundle" | cut -f1))" | tee -a "$out/summary.txt"
sed -n 1,2p "$bundle/MANIFEST" | tee -a "$out/summary.txt"
head=$(git rev-parse HEAD 2>/dev/null || true)
if [ -z "$head" ]; then
  echo "gpu_checks: no git history here to compare the bundle's commit with" | tee -a "$out/summary.txt"
elif [ "$(sed -n 's/^commit \([0-9a-f]*\).*/\1/p' "$bundle/MANIFEST")" != "$head" ]; then
  echo "gpu_checks: WARNING: the bundle was built from another commit than this checkout's ($head)" |
    tee -a "$out/summary.txt"
fi
if ! command -v nvidia-smi >/dev/null; then
  echo "gpu_checks: no NVIDIA GPU here (no driver: nvidia-smi is not installed); nothing run" |
    tee -a "$out/summary.txt" >&2
  exit 2
fi
if ! nvidia-smi -L > "$out/gpu.log" 2>&1 || ! grep -q "^GPU " "$out/gpu.log"; then
  echo "gpu_checks: no usable NVIDIA GPU (nvidia-smi -L: $(head -c 200 "$out/gpu.log")); nothing run" |
    tee -a "$out/summary.txt" >&2
  exit 2
fi
tee -a "$out/summary.txt" < "$out/gpu.log"
for binary in "$tests" "$backend" "$bench"; do
  if ldd "$binary" | grep -q "not found"; then
    echo "gpu_checks: $binary lacks shared libraries: $(ldd "$binary" | grep "not found" | tr '\n' ' ')" |
      tee -a "$out/summary.txt"
  fi
done
run_steps
echo "== summary ($(( $(date +%s) - start_all )) s)"
cat "$out/summary.txt"
cat "$out"/throughput_*.md 2>/dev/null
! grep -qE "FAILED|TIMED OUT" "$out/summary.txt"
