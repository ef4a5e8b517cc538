#!/usr/bin/env bash
# The large-scale table: bpqp's sparse path (forward + backward) against OSQP + its adjoint
# derivative on the same random QPs, 3000×1000 and 5000×2000, sparse (1 % of the entries) and
# dense variants of our generator, and the BPQP paper's own generator (dense; large_scale.cpp
# has both). One thread each, double, eps 1e-5,
# polishing on, run one after the other.
#
#   bash benchmarks/large_scale/run.sh [OUT_DIR]     (default build-bench/large_scale)
#
# Writes OUT_DIR/rows.jsonl and OUT_DIR/table.md. About 35 minutes on 2 cores (OSQP's
# adjoint on the dense 5000×2000 problem is most of it) once bpqp_large_scale and the peers'
# environment (benchmarks/peers/setup_env.sh) are built.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-bench/large_scale}
bash benchmarks/prepare.sh bpqp_large_scale
python=build/peers-venv/bin/python
mkdir -p "$out"
rm -f "$out/rows.jsonl"
for case in "3000 1000 0.01 ours" "5000 2000 0.01 ours" "3000 1000 1 ours" "5000 2000 1 ours" \
            "3000 1000 1 paper" "5000 2000 1 paper"; do
  read -r n m density generator <<<"$case"
  problem="$out/problem_${n}x${m}_${density}_${generator}.npz"
  bpqp_row=$(build-bench/benchmarks/bpqp_large_scale --n "$n" --m "$m" --density "$density" \
    --generator "$generator" --out "$problem")
  osqp_row=$($python benchmarks/large_scale/osqp_adjoint.py "$problem")
  rm -f "$problem"
  echo "{\"bpqp\": $bpqp_row, \"osqp\": $osqp_row}" >>"$out/rows.jsonl"
  echo "${n}×${m} density ${density} (${generator}'s generator): done"
done

$python - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = [json.loads(line) for line in open(f"{out}/rows.jsonl")]
lines = ["| n×m | generator | density | bpqp forward | bpqp backward | bpqp total | OSQP forward | OSQP adjoint | OSQP total | ratio | cosine | x rel. diff | bpqp peak RSS |",
         "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    b, o = r["bpqp"], r["osqp"]
    total_b, total_o = b["forward_s"] + b["backward_s"], o["forward_s"] + o["adjoint_s"]
    density = "1" if b["generator"] == "paper" else f"{b['density']:g}"
    lines.append(f"| {b['n']}×{b['m']} | {b['generator']} | {density} | {b['forward_s']:.2f} s | {b['backward_s']:.2f} s | "
                 f"{total_b:.2f} s | {o['forward_s']:.2f} s | {o['adjoint_s']:.2f} s | {total_o:.2f} s | "
                 f"{total_o / total_b:.1f}× | {o['gradient_cosine_to_bpqp']:.12f} | {o['x_relative_difference']:.1e} | "
                 f"{b['peak_rss_mb']:.0f} MB |")
open(f"{out}/table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
