#!/usr/bin/env bash
# The OSQP benchmark families, sparse, at about 10³, 10⁴ and 10⁵ nonzeros: bpqp's sparse path
# against OSQP, ProxQP (proxsuite, sparse) and Clarabel, one thread each, double, one after the
# other (run_suite.py says how each is timed and checked; families.py how the problems are drawn).
#
#   bash benchmarks/sparse_suite/run.sh [OUT_DIR]     (default build-bench/sparse_suite)
#
# Writes OUT_DIR/rows.jsonl and OUT_DIR/table.md. About 10 minutes on 2 cores once the bpqp
# command line and the peers' environment (benchmarks/peers/setup_env.sh) are built; ProxQP on the
# largest portfolio problem is most of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-bench/sparse_suite}
bash benchmarks/prepare.sh bpqp_cli
build/peers-venv/bin/python benchmarks/sparse_suite/run_suite.py "build-bench/bpqp" "$out"
