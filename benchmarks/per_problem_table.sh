#!/usr/bin/env bash
# The per-problem path against proxsuite's dense QP (forward, and QPLayer forward + backward)
# and Clarabel (forward, LPs), and the shared-P/A batch phase against the per-problem path:
# the table of benchmarks/README.md's "per-problem path" section, from one run.
# One thread for every method, double, default Release build (no -march=native).
#
#   bash benchmarks/per_problem_table.sh [OUT_DIR]     (default build-bench/per_problem)
#
# Writes OUT_DIR/table.md (and the JSON records beside it); about 6 minutes on 2 cores once
# bpqp_bench and the peers' environment (benchmarks/peers/setup_env.sh) are built.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-bench/per_problem}
bash benchmarks/prepare.sh bpqp_bench -- -DBPQP_ENABLE_CUDA=OFF
python=build/peers-venv/bin/python
bench=build-bench/benchmarks/bpqp_bench
rm -rf "$out"
mkdir -p "$out/export"

common=(--batches 64 --precisions double --threads 1 --cell-budget-s 10 --export "$out/export" --export-max-batch 64)
$bench --families random_qp --sizes 10x5,100x20,500x100 --sharing per_problem "${common[@]}" --json "$out/bpqp_qp.json"
$bench --families random_lp,mixed_lp --sizes 100x20 --sharing per_problem "${common[@]}" --json "$out/bpqp_lp.json"
# The batch phase against the per-problem path: five rounds, each its own process timing both
# paths back to back (a cell: medians over repeats for at least a second). One process of a
# 10×5 batch ran its batch phase at 4.7 µs a problem and the next at 8.7 (the same binary, the
# same problems; this machine's speed varies over seconds), while five repeats of 5 ms each
# said nothing about it: the table gives each pair's ratio's median over the rounds and range.
shared=(--threads 1 --sharing shared_PA,shared_PA_no_batch_phase --min-time-s 1 --max-repeats 200 --cell-budget-s 20)
for round in 1 2 3 4 5; do
  $bench --families random_qp --sizes 10x5,100x20 --batches 1024 --precisions double,float "${shared[@]}" \
    --json "$out/bpqp_shared_$round.json"
  $bench --families random_qp --sizes 500x100 --batches 64 --precisions double,float "${shared[@]}" \
    --json "$out/bpqp_shared_500_$round.json"
done

cases=$(cd "$out/export" && ls random_qp_*.npz | sed 's/\.npz$//' | paste -sd, -)
$python benchmarks/peers/run_peers.py --export "$out/export" --out "$out/peers.json" --cases "$cases" \
  --batches 64 --threads 1 --cell-budget-s 60 --total-budget-s 600 --methods proxsuite-qplayer
$python benchmarks/peers/time_clarabel.py "$out"/export/random_lp_100x20.npz "$out"/export/mixed_lp_100x20.npz \
  --batch 64 > "$out/clarabel_lp.txt"

$python - "$out" <<'EOF'
import json, re, sys
out = sys.argv[1]
def records(name):
    return json.load(open(f"{out}/{name}"))["records"]
bpqp = {(r["family"], r["n"], r["m"]): r for r in records("bpqp_qp.json") + records("bpqp_lp.json")
        if r["status"] == "ok" and r["backend"] == "cpu"}
peer = {(r["family"], r["n"], r["m"]): r for r in records("peers.json") if r.get("status") == "ok"}
clarabel = {}
for line in open(f"{out}/clarabel_lp.txt"):
    m = re.search(r"/(\w+?)_(\d+)x(\d+)\.npz: clarabel \S+ ([\d.]+) ms/problem, (\d+)/(\d+) solved", line)
    if m:
        clarabel[(m[1], int(m[2]), int(m[3]))] = (float(m[4]), m[5], m[6])
ms = lambda r, k: 1e3 * r[k] / r["batch"]
machine = json.load(open(f"{out}/bpqp_qp.json"))["machine"]
lines = [f"Machine: {machine['cpu']}, CPU kernels {machine['cpu_kernels']}, {machine['date']}. One thread, double, "
         "batch 64, per problem (×: the peer's time / bpqp's).", "",
         "| case | bpqp forward | bpqp total | proxsuite dense forward | QPLayer total | Clarabel forward | solved | gradient cosine min |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for key, r in sorted(bpqp.items(), key=lambda kv: (kv[0][0] != "random_qp", kv[0])):
    f, t = ms(r, "forward_s"), ms(r, "total_s")
    cells = [f"{key[0]} {key[1]}×{key[2]}", f"{f:.4g} ms", f"{t:.4g} ms"]
    p = peer.get(key)
    cells += [f"{ms(p, 'forward_s'):.4g} ms ({ms(p, 'forward_s') / f:.2f}×)", f"{ms(p, 'total_s'):.4g} ms ({ms(p, 'total_s') / t:.2f}×)"] if p else ["", ""]
    c = clarabel.get(key)
    cells.append(f"{c[0]:.4g} ms ({c[0] / f:.2f}×, {c[1]}/{c[2]} solved)" if c else "")
    cells += [f"{r['solved']}/{r['batch']}", f"{r['grad_cosine_min']:.6f}"]
    lines.append("| " + " | ".join(cells) + " |")
lines += ["", "Shared P and A, forward: the batch phase against the per-problem path on the same batch, "
          "five rounds of the pair (medians over the rounds; the ratio's range beside).", "",
          "| n×m | batch | precision | batch phase | per-problem path | ratio (median) | ratio (range) |",
          "|---|---:|---|---:|---:|---:|---:|"]
rounds = {}  # (n, m, batch, precision) → one {sharing: forward_s} per round
for k in range(1, 6):
    pairs = {}
    for r in records(f"bpqp_shared_{k}.json") + records(f"bpqp_shared_500_{k}.json"):
        if r["status"] == "ok" and r["backend"] == "cpu":
            pairs.setdefault((r["n"], r["m"], r["batch"], r["precision"]), {})[r["sharing"]] = r["forward_s"]
    for key, p in pairs.items():
        if "shared_PA" in p and "shared_PA_no_batch_phase" in p:
            rounds.setdefault(key, []).append(p)
median = lambda v: sorted(v)[len(v) // 2]
for (n, m, b, prec), ps in sorted(rounds.items()):
    phase = [p["shared_PA"] for p in ps]
    alone = [p["shared_PA_no_batch_phase"] for p in ps]
    ratios = [p["shared_PA_no_batch_phase"] / p["shared_PA"] for p in ps]
    lines.append(f"| {n}×{m} | {b} | {prec} | {1e3 * median(phase):.4g} ms | {1e3 * median(alone):.4g} ms | "
                 f"{median(ratios):.2f}× | {min(ratios):.2f}–{max(ratios):.2f}× |")
open(f"{out}/table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
