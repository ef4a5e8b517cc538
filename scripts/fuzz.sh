#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (Clang, ASan + UBSan) and runs each for a bounded
# time from a copy of its checked-in corpus, then replays the saved regression inputs.
# Prints per target the executions run and whether anything was found; exits non-zero on any
# finding, leaving the crashing inputs and logs in the work directory's <target>/ (printed).
#   bash scripts/fuzz.sh                      # 60 s per target
#   BPQP_FUZZ_SECONDS=600 bash scripts/fuzz.sh fuzz_solve
# Environment: BPQP_FUZZ_SECONDS (default 60), BPQP_FUZZ_BUILD_DIR (default build-fuzz),
# BPQP_FUZZ_WORK (default a fresh temporary directory), BPQP_FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# What the build needs beyond the usual dependencies: clang and its libFuzzer runtime.
bash scripts/install_deps.sh clang libclang-rt-14-dev

targets=(fuzz_qps_reader fuzz_json_batch fuzz_cbf_reader fuzz_solve)
[ $# -gt 0 ] && targets=("$@")
seconds=${BPQP_FUZZ_SECONDS:-60}
build=${BPQP_FUZZ_BUILD_DIR:-build-fuzz}
work=${BPQP_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/bpqp-fuzz.XXXXXX")}
mkdir -p "$work"

CC=clang CXX=clang++ cmake -S tests/fuzz -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

# detect_leaks: a leak is a finding too. The rss limit stays libFuzzer's 2 GB default; -timeout
# flags an input that runs longer than 10 s (a hang) as a finding.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
summary=()
for target in "${targets[@]}"; do
  corpus="$work/$target/corpus"
  artifacts="$work/$target/"
  mkdir -p "$corpus"
  # A copy: libFuzzer adds the inputs it finds interesting to the corpus directory.
  cp tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  log="$work/$target/fuzz.log"

  # Regression inputs (earlier findings, fixed) must stay fixed: replay them first.
  regressions=(tests/fuzz/regressions/"$target"/*)
  if [ -e "${regressions[0]}" ]; then
    if ! "$build/$target" -runs=1 "${regressions[@]}" >"$work/$target/regressions.log" 2>&1; then
      tail -n 40 "$work/$target/regressions.log"
      summary+=("$target: a saved regression input fails again (log: $work/$target/regressions.log)")
      failed=1
      continue
    fi
  fi

  dict=()
  [ -f tests/fuzz/"$target".dict ] && dict=(-dict="tests/fuzz/$target.dict")
  echo "== $target: ${seconds} s from $(ls "$corpus" | wc -l) seed inputs"
  status=0
  # shellcheck disable=SC2086  # BPQP_FUZZ_ARGS is a list of flags
  "$build/$target" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts" ${BPQP_FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  # libFuzzer's last status line ("#N DONE cov: ... corp: ... exec/s: ...") and its final stats.
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  execs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' || true)
  found=$(ls "$artifacts" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
  if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|== bpqp fuzz)' "$log" | head -n 5 || true
    # The input itself, so that a finding on a machine whose work directory is gone (CI)
    # can be replayed: echo '<base64>' | base64 -d > input; build-fuzz/<target> -runs=1 input
    for artifact in $found; do
      if [ "$(stat -c %s "$artifacts/$artifact")" -le 4096 ]; then
        echo "== $artifact (base64): $(base64 -w 0 "$artifacts/$artifact")"
      fi
    done
    summary+=("$target: FINDING after ${execs:-?} executions (exit $status): $(echo $found) (log: $log)")
    failed=1
  else
    summary+=("$target: ${execs:-?} executions in ${seconds} s, nothing found")
  fi
done

echo "== fuzzing summary (work directory: $work)"
printf '%s\n' "${summary[@]}"
# A temporary work directory is removed when nothing was found; findings keep theirs.
if [ "$failed" -eq 0 ] && [ -z "${BPQP_FUZZ_WORK:-}" ]; then rm -rf "$work"; fi
exit "$failed"
