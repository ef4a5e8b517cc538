#!/usr/bin/env bash
# SOCPs: bpqp against cvxpylayers (forward + backward) and bpqp's forward against Clarabel's and
# SCS's, on the BPQP paper's SOCP family (random_socp: a_iᵀz + ‖z‖₂ ≤ b_i) at the paper's sizes,
# from one run. One thread for every method, double, default Release build (no -march=native).
#
#   bash benchmarks/socp_table.sh [OUT_DIR]     (default build-bench/socp)
#
# Writes OUT_DIR/bpqp_socp.json, OUT_DIR/peers_socp.json and OUT_DIR/socp_table.md (benchmarks/run.sh
# calls it with its results folder). About 4 minutes on 2 cores once bpqp_bench and the peers'
# environment (benchmarks/peers/setup_env.sh) are built.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-bench/socp}
bash benchmarks/prepare.sh bpqp_bench
python=build/peers-venv/bin/python
bench=build-bench/benchmarks/bpqp_bench
export_dir=build-bench/socp_export  # the problems (not results: never under benchmarks/)
rm -rf "$export_dir"
mkdir -p "$out" "$export_dir"

# 64 problems a size, 4 at 500×100 (a problem there takes cvxpylayers seconds).
$bench --families random_socp --sizes 10x5,50x10,100x20 --batches 64 --precisions double --threads 1 \
  --sharing per_problem --backends cpu --cell-budget-s 30 --export "$export_dir" --export-max-batch 64 \
  --json "$out/bpqp_socp.json"
$bench --families random_socp --sizes 500x100 --batches 4 --precisions double --threads 1 \
  --sharing per_problem --backends cpu --cell-budget-s 30 --export "$export_dir" --export-max-batch 4 \
  --reference-problems 4 --json "$out/bpqp_socp_500x100.json"
$python benchmarks/peers/run_socp_peers.py --export "$export_dir" \
  --cases random_socp_10x5,random_socp_50x10,random_socp_100x20 --batch 64 --out "$out/peers_socp.json"
$python benchmarks/peers/run_socp_peers.py --export "$export_dir" --cases random_socp_500x100 --batch 4 \
  --out "$out/peers_socp_500x100.json"

$python - "$out" <<'EOF'
import glob, json, sys
out = sys.argv[1]
def records(pattern):
    rs = []
    for path in sorted(glob.glob(f"{out}/{pattern}")):
        rs += [r for r in json.load(open(path))["records"] if r.get("status") == "ok"]
    return rs
bpqp = {(r["n"], r["m"]): r for r in records("bpqp_socp*.json") if r["backend"] == "cpu"}
peers = {}
for r in records("peers_socp*.json"):
    peers[(r["method"], r["n"], r["m"])] = r
machine = json.load(open(f"{out}/bpqp_socp.json"))["machine"]
ms = lambda r, k: 1e3 * r[k] / r["batch"]
lines = [f"Machine: {machine['cpu']}, CPU kernels {machine['cpu_kernels']}, {machine['date']}. One thread, double, "
         "per problem (×: the peer's time / bpqp's); random_socp, batch 64 (4 at 500×100).", "",
         "| n×m | bpqp forward | bpqp total | cvxpylayers total | Clarabel forward | SCS forward | solved (bpqp) | gradient cosine min (bpqp / cvxpylayers) |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for (n, m), r in sorted(bpqp.items()):
    f, t = ms(r, "forward_s"), ms(r, "total_s")
    cells = [f"{n}×{m}", f"{f:.4g} ms", f"{t:.4g} ms"]
    c = peers.get(("cvxpylayers", n, m))
    cells.append(f"{ms(c, 'total_s'):.4g} ms ({ms(c, 'total_s') / t:.1f}×)" if c else "")
    for key in ("clarabel", "scs"):
        p = peers.get((key, n, m))
        cells.append(f"{ms(p, 'forward_s'):.4g} ms ({ms(p, 'forward_s') / f:.2f}×, {p['solved']}/{p['batch']})" if p else "")
    cells.append(f"{r['solved']}/{r['batch']}")
    cells.append(f"{r['grad_cosine_min']:.6f} / " + (f"{c['grad_cosine_min']:.6f}" if c else "—"))
    lines.append("| " + " | ".join(cells) + " |")
open(f"{out}/socp_table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
