#!/usr/bin/env bash
# The portfolio experiment (benchmarks/portfolio/README.md), from a fresh clone, in one command:
# installs R's fBasics data (apt), torch, qpth and matplotlib (pip, into .venv-torch) and the
# bpqp package from this clone; exports the data; runs the 30-stock experiment and the
# 500-asset timing; writes the table into README.md and the plot into results/.
#   BPQP_PORTFOLIO_SEEDS (5), BPQP_PORTFOLIO_EPOCHS (20): a shorter run for a try.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install_deps.sh r-cran-fbasics
bash scripts/torch_venv.sh qpth==0.0.18 matplotlib
python=.venv-torch/bin/python
# The package's CUDA backend only where a GPU can run it (compiling it takes many minutes).
cuda=OFF
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then cuda=AUTO; fi
"$python" -m pip install -q --no-build-isolation -Ccmake.define.BPQP_ENABLE_CUDA=$cuda -Cbuild-dir=build-python .

here=benchmarks/portfolio
mkdir -p build-portfolio "$here/results"
Rscript "$here/export_dowjones30.R" build-portfolio/dowjones30.csv
"$python" "$here/portfolio.py" dowjones --csv build-portfolio/dowjones30.csv --out "$here/results" \
  --seeds "${BPQP_PORTFOLIO_SEEDS:-5}" --epochs "${BPQP_PORTFOLIO_EPOCHS:-20}"
for device in cpu $("$python" -c "import torch; print('cuda' if torch.cuda.is_available() else '')"); do
  "$python" "$here/portfolio.py" scale --assets 500 --days 64 --batch-days 16 --device "$device" --out "$here/results"
done
"$python" "$here/report.py" "$here/results" "$here/README.md"
echo "table: $here/README.md (Results), plot: $here/results/dowjones30.png"
