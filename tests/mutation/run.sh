#!/usr/bin/env bash
# Mutation check: plants each bug of tests/mutation/mutants.py, one at a time, in a copy of
# the working tree (tracked and untracked-not-ignored files, uncommitted edits included),
# rebuilds only the test binaries that mutant names, runs them with its gtest filter and
# reports KILLED (a test failed), SURVIVED (all passed: the tests have a gap) or BROKEN (the
# mutant does not compile: counts as neither). Exits 1 if any mutant survived or broke,
# 2 if the check itself could not run (a mutant no longer matches, the clean copy fails).
#   bash tests/mutation/run.sh [--list] [--keep] [NAME...]
#     --list   print the mutants and exit
#     --keep   keep the work directory (a fresh temporary one is otherwise removed)
#   BPQP_MUTATION_WORK=DIR    work directory, kept and reused: later runs build incrementally
#   BPQP_MUTATION_JOBS=N      build jobs (2)
#   BPQP_MUTATION_TIMEOUT=S   limit per test-binary run, in seconds (600); a hang counts as killed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
helper=(python3 -B "$here/mutate.py")  # -B: no __pycache__ in the source tree
jobs=${BPQP_MUTATION_JOBS:-2}
test_timeout=${BPQP_MUTATION_TIMEOUT:-600}

keep=0 list=0 names=()
for arg in "$@"; do
  case $arg in
    --list) list=1 ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "mutation: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done
selection=$("${helper[@]}" names ${names[@]+"${names[@]}"}) || exit 2
mapfile -t selected <<<"$selection"
if ((list)); then
  "${helper[@]}" list "${selected[@]}"
  exit 0
fi

started=$SECONDS
if [[ -n ${BPQP_MUTATION_WORK:-} ]]; then
  mkdir -p "$BPQP_MUTATION_WORK"
  work=$(cd "$BPQP_MUTATION_WORK" && pwd)
  persistent=1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/bpqp-mutation.XXXXXX")
  persistent=0
fi
pristine=$work/pristine  # the snapshot every mutant is planted into, and restored from
tree=$work/tree          # the copy that is mutated and built
build=$tree/build-mutation
logs=$work/logs
mkdir -p "$pristine" "$tree" "$logs"
mutated=""  # the file of tree/ that currently holds a mutant

restore() {
  if [[ -n $mutated ]]; then
    cp "$pristine/$mutated" "$tree/$mutated"  # a fresh mtime: the next build recompiles its dependents
    mutated=""
  fi
}
finish() {
  restore
  if ((!persistent && !keep)); then rm -rf "$work"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

# The copy (the test data travels with it: tests/data).
git -C "$repo" ls-files -co --exclude-standard -z >"$work/files"
count=$("${helper[@]}" sync "$repo" "$pristine" "$work/files")
"${helper[@]}" sync "$pristine" "$tree" "$work/files" >/dev/null
echo "mutation: ${#selected[@]} mutant(s); $count files of $repo copied to $tree"
"${helper[@]}" check "$pristine" "${selected[@]}" || exit 2

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$tree" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBPQP_ENABLE_CUDA=OFF -DBPQP_BUILD_BENCHMARKS=OFF \
    -DBPQP_BUILD_CLI=OFF -DBPQP_BUILD_TESTS=ON -DBPQP_WITH_TORCH=OFF >"$logs/configure.log" 2>&1 ||
    { tail -n 30 "$logs/configure.log"; echo "mutation: cmake configure failed ($logs/configure.log)" >&2; exit 2; }
fi

# build LOG TARGET...: the named test binaries, incrementally.
build_targets() {
  local log=$1
  shift
  cmake --build "$build" -j"$jobs" --target "$@" >"$log" 2>&1
}

# run_binary BINARY FILTER STEM: runs one test binary; sets run_rc, leaves STEM.xml and STEM.log.
run_binary() {
  rm -f "$3.xml"
  run_rc=0
  timeout -k 10 "$test_timeout" "$build/tests/$1" --gtest_filter="$2" --gtest_output="xml:$3.xml" >"$3.log" 2>&1 ||
    run_rc=$?
}

# Baseline: the unmutated copy must build, and each filter must select tests. A test that
# already fails there cannot kill a mutant: it is reported and left out of the verdicts.
declare -A wanted=()
for name in "${selected[@]}"; do
  for binary in $("${helper[@]}" get "$name" binaries); do wanted[$binary]=1; done
done
echo "mutation: building the unmutated copy (${!wanted[*]}, -j$jobs)"
t0=$SECONDS
build_targets "$logs/baseline.build.log" "${!wanted[@]}" ||
  { tail -n 30 "$logs/baseline.build.log"; echo "mutation: the unmutated copy does not build ($logs/baseline.build.log)" >&2; exit 2; }
echo "mutation: built in $((SECONDS - t0))s"
declare -A baseline_done=()
for binary in "${!wanted[@]}"; do : >"$logs/baseline.$binary.failures"; done
for name in "${selected[@]}"; do
  for binary in $("${helper[@]}" get "$name" binaries); do
    filter=$("${helper[@]}" filter "$name" "$binary")
    selected_tests=$("$build/tests/$binary" --gtest_filter="$filter" --gtest_list_tests | grep -c '^  ' || true)
    if ((selected_tests == 0)); then
      echo "mutation: mutant $name: $binary --gtest_filter='$filter' selects no test; update tests/mutation/mutants.py" >&2
      exit 2
    fi
    [[ -n ${baseline_done["$binary $filter"]:-} ]] && continue
    baseline_done["$binary $filter"]=1
    stem=$logs/baseline.$binary.${#baseline_done[@]}
    run_binary "$binary" "$filter" "$stem"
    "${helper[@]}" failures "$binary" "$stem.xml" "$stem.log" "$run_rc" /dev/null >>"$logs/baseline.$binary.failures"
  done
done
for binary in "${!wanted[@]}"; do
  sort -u -o "$logs/baseline.$binary.failures" "$logs/baseline.$binary.failures"
  sed -i '/^$/d' "$logs/baseline.$binary.failures"
  if [[ -s $logs/baseline.$binary.failures ]]; then
    echo "mutation: WARNING: on the unmutated copy these $binary tests fail; they cannot kill a mutant:"
    sed 's/^/    /' "$logs/baseline.$binary.failures"
  fi
done

# The mutants, each alone.
killed=0 survived=0 broken=0 index=0
rows=()
for name in "${selected[@]}"; do
  index=$((index + 1))
  t0=$SECONDS
  file=$("${helper[@]}" get "$name" file)
  binaries=$("${helper[@]}" get "$name" binaries)
  "${helper[@]}" apply "$tree" "$name" || exit 2
  mutated=$file
  echo "[$index/${#selected[@]}] $name ($file): building $binaries"
  caught=()
  # shellcheck disable=SC2086
  if ! build_targets "$logs/$name.build.log" $binaries; then
    outcome=BROKEN
    broken=$((broken + 1))
    caught=("does not compile: $(grep -m1 'error:' "$logs/$name.build.log" | sed "s|$tree/||" || true)")
  else
    for binary in $binaries; do
      filter=$("${helper[@]}" filter "$name" "$binary")
      stem=$logs/$name.$binary
      run_binary "$binary" "$filter" "$stem"
      failed=$("${helper[@]}" failures "$binary" "$stem.xml" "$stem.log" "$run_rc" "$logs/baseline.$binary.failures")
      if [[ -n $failed ]]; then mapfile -t -O "${#caught[@]}" caught <<<"$failed"; fi
    done
    if ((${#caught[@]})); then
      outcome=KILLED
      killed=$((killed + 1))
      printf '%s\n' "${caught[@]}" >"$logs/$name.caught"
    else
      outcome=SURVIVED
      survived=$((survived + 1))
    fi
  fi
  restore
  seconds=$((SECONDS - t0))
  shown=$(printf '%s, ' "${caught[@]:0:6}")
  shown=${shown%, }
  if ((${#caught[@]} > 6)); then shown+=", ..."; fi
  if [[ $outcome == KILLED ]]; then shown="${#caught[@]} failed: $shown"; fi
  echo "    $outcome in ${seconds}s"
  if ((${#caught[@]})); then printf '      %s\n' "${caught[@]}"; fi
  row=$(printf '%-44s %-9s %5ss  %s' "$name" "$outcome" "$seconds" "$shown")
  rows+=("${row%"${row##*[![:space:]]}"}")
done

echo
printf '%-44s %-9s %6s  %s\n' mutant outcome time "tests that caught it"
printf '%s\n' "${rows[@]}"
if ((persistent || keep)); then
  echo "mutation: work directory $work kept (logs/: each mutant's build log, test logs, caught tests)"
fi
echo "mutation: total wall time $((SECONDS - started))s"
echo "mutation: $killed killed, $survived survived, $broken broken"
((survived == 0 && broken == 0))
