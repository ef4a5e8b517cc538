#!/usr/bin/env bash
# The torch layer's tests: installs torch (pinned, from PyPI, into .venv-torch:
# scripts/torch_venv.sh), builds bpqp_torch with its C++ test and example, runs them (ctest -L torch),
# installs the Python package from this clone and runs pytest (python/tests), then builds
# and runs a separate CMake project against the installed bpqp (tests/consumer).
# BPQP_TORCH_BUILD_DIR (default build-torch): the CMake build to add the torch layer to
# (CI passes its CUDA build, so that the CUDA kernels of the layer compile too).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"
# qpth and R's fBasics data: the portfolio experiment's test (python/tests/test_portfolio.py).
bash scripts/install_deps.sh r-cran-fbasics
bash scripts/torch_venv.sh qpth==0.0.18
venv=.venv-torch
python="$venv/bin/python"
torch_cmake=$("$python" -c "import torch.utils; print(torch.utils.cmake_prefix_path)")

build=${BPQP_TORCH_BUILD_DIR:-build-torch}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBPQP_BUILD_TESTS=ON -DBPQP_WITH_TORCH=ON \
  -DTorch_DIR="$torch_cmake/Torch" >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" -L torch -j"$(nproc)" --output-on-failure

echo "== the Python package, from this clone"
# CUDA off here: the package's CUDA kernels are the ones the C++ build above compiled.
"$venv/bin/pip" install -q --no-build-isolation -Ccmake.define.BPQP_ENABLE_CUDA=OFF -Cbuild-dir=build-python .
(cd python/tests && env -u BPQP_TORCH_LIBRARY "../../$python" -m pytest -q -rs .)
(cd examples/python && "../../$python" portfolio_training.py | tail -1)

echo "== a separate CMake project against the installed bpqp"
prefix=$(mktemp -d)
cmake --install "$build" --prefix "$prefix" >/dev/null
# The torch package's root, not only its share/cmake: TorchConfig finds libtorch and libc10
# through the prefix path before the system's directories, where Debian's libtorch may be.
torch_root=$(cd "$torch_cmake/../.." && pwd)
cmake -S tests/consumer -B "$build/consumer" -DCMAKE_PREFIX_PATH="$prefix;$torch_root" >/dev/null
cmake --build "$build/consumer" -j"$(nproc)"
"$build/consumer/consumer_core"
"$build/consumer/consumer_torch"
rm -rf "$prefix"
