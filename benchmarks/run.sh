#!/usr/bin/env bash
# Reproduces benchmarks/RESULTS.md and benchmarks/plots/*.png: bpqp and the peers
# (OSQP + adjoint, the BPQP paper's recipe, qpth, cvxpylayers, proxsuite's QPLayer,
# JAXopt's OSQP) on the same exported problems, with ratios from one run.
# On this project's 2-core machine it takes about 10 minutes, from a fresh clone too (see
# benchmarks/README.md);
# the GPU rows are added when a usable NVIDIA GPU is present.
#
#   bash benchmarks/run.sh            # everything
#   BPQP_BENCH_QUICK=1 bash benchmarks/run.sh   # a 2-minute smoke run (small sizes and batches),
#                                               # written to build-bench/quick/, not benchmarks/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"

cuda=OFF
if nvidia-smi -L >/dev/null 2>&1 && command -v nvcc >/dev/null 2>&1; then cuda=ON; fi
bash benchmarks/prepare.sh bpqp_bench -- -DBPQP_ENABLE_CUDA=$cuda
python=build/peers-venv/bin/python

# A full run writes the committed results, report and plots; a quick (smoke) run writes
# them under build-bench/quick/ so that it never replaces a full run's figures.
if [ "${BPQP_BENCH_QUICK:-0}" = 1 ]; then
  sizes=10x5,50x10; batches=1,64; budget=2; peers_scale=0.2
  results=build-bench/quick/results; report=build-bench/quick/RESULTS.md; plots=build-bench/quick/plots
else
  sizes=10x5,50x10,100x20,500x100; batches=1,64,1024,16384; budget=4; peers_scale=1
  results=benchmarks/results; report=benchmarks/RESULTS.md; plots=benchmarks/plots
fi
export_dir=build-bench/export
rm -rf "$export_dir" "$results"
mkdir -p "$export_dir" "$results"
bench=build-bench/benchmarks/bpqp_bench
backends=cpu
[ "$cuda" = ON ] && backends=cpu,cuda

# 1. The paper's random QPs: every size and batch, float and double, per-problem and
#    shared P/A (with the batch phase, and without it for the ratio), one thread (the
#    peers' resources) and every hardware thread.
$bench --families random_qp --sizes $sizes --batches $batches --precisions double,float \
  --sharing per_problem,shared_PA,shared_PA_no_batch_phase --threads 1,0 --backends $backends --cell-budget-s $budget \
  --export "$export_dir" --json $results/bpqp_random_qp.json
# 2. Equality-constrained QPs and LPs (double, per problem): the paper's random LP and
#    mixed_lp (equalities, inequalities, boxed and one-sided variables, rows over three
#    decades); at 500×100 a few problems only (each interior-point step factors n + m_E).
$bench --families equality_qp,random_lp,mixed_lp --sizes ${sizes/,500x100/} --batches $batches --precisions double \
  --sharing per_problem --threads 1,0 --backends $backends --cell-budget-s $budget \
  --export "$export_dir" --export-max-batch 64 --json $results/bpqp_eq_lp.json
if [[ $sizes == *500x100* ]]; then
  $bench --families equality_qp,random_lp,mixed_lp --sizes 500x100 --batches 1,4 --precisions double \
    --sharing per_problem --threads 1 --backends $backends --cell-budget-s $budget \
    --export "$export_dir" --export-max-batch 4 --reference-problems 4 --json $results/bpqp_eq_lp_500x100.json
fi
# 3. OSQP's benchmark families, sized to about 100 variables each.
for case in portfolio:100x0 control:10x0 lasso:25x0 huber:15x0 svm:33x0; do
  $bench --families ${case%%:*} --sizes ${case##*:} --batches 1,64 --precisions double \
    --sharing per_problem --threads 1,0 --backends $backends --cell-budget-s $budget \
    --export "$export_dir" --export-max-batch 64 --json $results/bpqp_${case%%:*}.json
done

# 4. The peers on the exported problems, one thread each (bpqp's 1-thread rows are the
#    comparison), in groups with their own time budgets so that every size gets its turn:
#    "peers GROUP BATCHES CELL_BUDGET_S TOTAL_BUDGET_S CASES [METHODS]".
peers() {
  local cases
  # (a quick run exports fewer sizes: a group with none of its files is skipped, and ls's
  # failure on the missing ones must not end the script under pipefail)
  cases=$(cd "$export_dir" && { ls $5 2>/dev/null || true; } | sed 's/\.npz$//' | paste -sd, -)
  [ -n "$cases" ] || return 0
  $python benchmarks/peers/run_peers.py --export "$export_dir" --out $results/peers_$1.json --cases "$cases" \
    --batches $2 --threads 1 --cell-budget-s $3 \
    --total-budget-s "$(awk -v t="$4" -v s="$peers_scale" 'BEGIN { print t * s }')" ${6:+--methods $6}
}
peers small 1,64,1024 10 90 "random_qp_10x5.npz random_qp_50x10.npz"
peers 100x20 1,64,1024 30 130 "random_qp_100x20.npz"
peers 500x100 1 30 90 "random_qp_500x100.npz"
# (cvxpylayers is left out at batch 64: its one-problem probe alone takes 30 s at 500×100)
peers 500x100_b64 64 10 30 "random_qp_500x100.npz" osqp+adjoint,bpqp-paper-recipe,qpth,proxsuite-qplayer,jaxopt-osqp
peers eq_lp 1,64 4 60 "equality_qp_10x5.npz equality_qp_50x10.npz equality_qp_100x20.npz random_lp_10x5.npz random_lp_50x10.npz random_lp_100x20.npz mixed_lp_10x5.npz mixed_lp_50x10.npz mixed_lp_100x20.npz"
peers eq_lp_500x100 1,4 10 30 "equality_qp_500x100.npz random_lp_500x100.npz mixed_lp_500x100.npz"
# Clarabel, an interior point without derivatives, on the LPs: the forward time an LP
# solver of its kind sets (bpqp's forward column is the comparison).
lp_files=$({ ls "$export_dir"/random_lp_*.npz "$export_dir"/mixed_lp_*.npz 2>/dev/null || true; })
if [ -n "$lp_files" ]; then
  $python benchmarks/peers/time_clarabel.py $lp_files --batch 64 > $results/clarabel_lp.txt \
    || echo "Clarabel timing skipped (clarabel missing?)"
fi
peers osqp_suite 1,64 4 60 "portfolio_*.npz control_*.npz lasso_*.npz huber_*.npz svm_*.npz"
# SOCPs: bpqp against cvxpylayers (forward + backward), Clarabel and SCS (forward) on the paper's
# SOCP family (random_socp), its records beside the others' and its own table (socp_table.md).
if [ "${BPQP_BENCH_QUICK:-0}" != 1 ]; then bash benchmarks/socp_table.sh "$results"; fi

# 5. Tables and plots.
$python benchmarks/report.py --results $results/*.json --out-md $report --plots-dir $plots
echo "$report and $plots/ written"
