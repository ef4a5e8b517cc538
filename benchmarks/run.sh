#!/usr/bin/env bash
# Reproduces benchmarks/RESULTS.md and benchmarks/plots/*.png: bpqp and the peers
# (OSQP + adjoint, the BPQP paper's recipe, qpth, cvxpylayers, proxsuite's QPLayer,
# JAXopt's OSQP) on the same exported problems, with ratios from one run.
# On this project's 2-core CI machine it takes about 13 minutes (see benchmarks/README.md);
# the GPU rows are added when a usable NVIDIA GPU is present.
#
#   bash benchmarks/run.sh            # everything
#   BPQP_BENCH_QUICK=1 bash benchmarks/run.sh   # a 2-minute smoke run (small sizes and batches)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
export PATH="$PATH:/usr/local/cuda/bin"

cuda=OFF
if nvidia-smi -L >/dev/null 2>&1 && command -v nvcc >/dev/null 2>&1; then cuda=ON; fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBPQP_BUILD_TESTS=OFF -DBPQP_BUILD_CLI=OFF \
  -DBPQP_NATIVE=ON -DBPQP_ENABLE_CUDA=$cuda >/dev/null
cmake --build build-bench -j"$(nproc)" --target bpqp_bench
bash benchmarks/peers/setup_env.sh build/peers-venv
python=build/peers-venv/bin/python

results=benchmarks/results
export_dir=build-bench/export
rm -rf "$export_dir" "$results"
mkdir -p "$export_dir" "$results"
bench=build-bench/benchmarks/bpqp_bench
backends=cpu
[ "$cuda" = ON ] && backends=cpu,cuda

if [ "${BPQP_BENCH_QUICK:-0}" = 1 ]; then
  sizes=10x5,50x10; batches=1,64; budget=2; peers_cell_budget=5; peers_budget=60; peers_other_budget=30
else
  sizes=10x5,50x10,100x20,500x100; batches=1,64,1024,16384; budget=4
  peers_cell_budget=30; peers_budget=300; peers_other_budget=90
fi

# 1. The paper's random QPs: every size and batch, float and double, per-problem and
#    shared P/A, one thread (the peers' resources) and every hardware thread.
$bench --families random_qp --sizes $sizes --batches $batches --precisions double,float \
  --sharing per_problem,shared_PA --threads 1,0 --backends $backends --cell-budget-s $budget \
  --export "$export_dir" --json $results/bpqp_random_qp.json
# 2. Equality-constrained QPs and LPs at the same sizes (double, per problem).
$bench --families equality_qp,random_lp --sizes $sizes --batches $batches --precisions double \
  --sharing per_problem --threads 1,0 --backends $backends --cell-budget-s $budget \
  --export "$export_dir" --export-max-batch 64 --export-max-mb 40 --json $results/bpqp_eq_lp.json
# 3. OSQP's benchmark families, sized to about 100 variables each.
for case in portfolio:100x0 control:10x0 lasso:25x0 huber:15x0 svm:33x0; do
  $bench --families ${case%%:*} --sizes ${case##*:} --batches 1,64 --precisions double \
    --sharing per_problem --threads 1,0 --backends $backends --cell-budget-s $budget \
    --export "$export_dir" --export-max-batch 64 --json $results/bpqp_${case%%:*}.json
done

# 4. The peers on the exported problems, one thread each (bpqp's 1-thread rows are the comparison):
#    first the paper's random QPs with room for batch 1024, then the other families, briefly.
random_qp_cases=$(ls "$export_dir" | sed -n 's/^\(random_qp_.*\)\.npz$/\1/p' | paste -sd, -)
other_cases=$(ls "$export_dir" | grep -v '^random_qp_' | sed -n 's/\.npz$//p' | paste -sd, -)
$python benchmarks/peers/run_peers.py --export "$export_dir" --out $results/peers_random_qp.json \
  --cases "$random_qp_cases" --batches $batches --threads 1 --cell-budget-s $peers_cell_budget \
  --total-budget-s $peers_budget
$python benchmarks/peers/run_peers.py --export "$export_dir" --out $results/peers_other.json \
  --cases "$other_cases" --batches 1,64 --threads 1 --cell-budget-s $budget --total-budget-s $peers_other_budget

# 5. Tables and plots.
$python benchmarks/report.py --results $results/*.json --out-md benchmarks/RESULTS.md --plots-dir benchmarks/plots
echo "benchmarks/RESULTS.md and benchmarks/plots/ written"
