#!/usr/bin/env bash
# The torch layer's overhead beside qpth's and cvxpylayers' layers (layer_overhead.py), in the
# environment scripts/test_torch.sh prepares (.venv-torch, torch 2.11.0, the package
# installed from this clone), with the two peers added to it (pinned, pure-Python wheels
# plus cvxpy's solvers: about 30 s the first time). Arguments go to layer_overhead.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=.venv-torch/bin/python
if ! "$python" -c "import bpqp" 2>/dev/null; then
  echo "run bash scripts/test_torch.sh first: it installs torch and the bpqp package into .venv-torch" >&2
  exit 2
fi
"$python" -m pip install -q qpth==0.0.18 cvxpy==1.7.5 clarabel scs diffcp==1.1.8 cvxpylayers==0.1.9
"$python" -W ignore::UserWarning benchmarks/layer/layer_overhead.py "$@"
