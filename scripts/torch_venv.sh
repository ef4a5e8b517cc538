#!/usr/bin/env bash
# Makes sure .venv-torch (at the repository root) holds the pinned torch from PyPI with numpy,
# pytest and scikit-build-core, plus any pip packages given as arguments; installs only what is
# missing (torch itself: about 85 s and 4.7 GB, once; pip's own cache did not keep the wheels
# on our machines). Used by scripts/test_torch.sh and benchmarks/portfolio/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh python3-venv
torch_version=2.11.0
venv=.venv-torch
if ! "$venv/bin/python" -c "import torch, pytest, scikit_build_core, numpy; assert torch.__version__.startswith('$torch_version')" 2>/dev/null; then
  start=$(date +%s)
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "torch==$torch_version" numpy pytest scikit-build-core
  echo "torch $torch_version installed in $(( $(date +%s) - start )) s"
fi
missing=()
for package in "$@"; do
  "$venv/bin/pip" show -q "${package%%[=<>]*}" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  "$venv/bin/pip" install -q "${missing[@]}"
fi
