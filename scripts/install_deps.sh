#!/usr/bin/env bash
# Installs the Debian packages bpqp builds with (skips what is already there).
# The CUDA toolkit is optional and not installed here: with nvcc on PATH (or in
# /usr/local/cuda/bin) the CUDA backend is built as well.
set -euo pipefail
# Extra package names given as arguments are installed too (scripts/fuzz.sh adds clang).
packages=(cmake g++ make libeigen3-dev nlohmann-json3-dev libcli11-dev libgtest-dev python3 "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
