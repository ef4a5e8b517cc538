#!/usr/bin/env bash
# Sets up the Python environment for the peer benchmarks (benchmarks/peers/run_peers.py).
#
#   benchmarks/peers/setup_env.sh [VENV_DIR]        (default: <repo>/build/peers-venv)
#
# Idempotent: a second run only checks what is already there.
#  * apt: python3-venv, python3-torch (Debian's CPU torch 1.13; PyPI's torch wheel is a
#    multi-GB CUDA build, so we use Debian's and make it visible with --system-site-packages).
#  * venv: /usr/bin/python3 -m venv --system-site-packages VENV_DIR
#  * pip: each peer installed on its own (one failure does not stop the rest), versions pinned
#    to a set that works with Debian's torch 1.13 (built against numpy 1.x, so numpy < 2).
#  * writes VENV_DIR/peers_status.json: which modules import and which fail (with the error).
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${1:-$REPO/build/peers-venv}"
case "$VENV" in /*) ;; *) VENV="$REPO/$VENV" ;; esac

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

log() { echo "[setup_env] $*" >&2; }

# ---------------------------------------------------------------- apt
need_apt=()
for pkg in python3-venv python3-torch; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then need_apt+=("$pkg"); fi
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -q || log "apt-get update failed (continuing)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}" \
    || log "apt-get install ${need_apt[*]} failed (continuing; torch-based peers will be not_installed)"
else
  log "apt packages present: python3-venv python3-torch"
fi

# ---------------------------------------------------------------- venv
if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV"
  mkdir -p "$(dirname "$VENV")"
  /usr/bin/python3 -m venv --system-site-packages "$VENV" || { log "venv creation failed"; exit 1; }
  "$VENV/bin/python" -m pip install -q --upgrade pip || log "pip upgrade failed (continuing)"
else
  log "venv present: $VENV"
fi
PY="$VENV/bin/python"

# Constraints shared by every install: keep numpy 1.x (Debian torch 1.13 is built against it)
# and never let pip replace Debian's torch with a PyPI wheel.
CONS="$VENV/peers-constraints.txt"
TORCH_DIST_VERSION="$("$PY" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)"
{
  echo "numpy==1.26.4"
  echo "scipy==1.15.3"
  if [ -n "$TORCH_DIST_VERSION" ]; then echo "torch==$TORCH_DIST_VERSION"; fi
} > "$CONS"

# name|pip requirement(s)|module to import
PKGS=(
  "numpy|numpy==1.26.4|numpy"
  "scipy|scipy==1.15.3|scipy"
  "matplotlib|matplotlib==3.10.7|matplotlib"
  "osqp|osqp==1.1.3|osqp"
  "qpth|qpth==0.0.18|qpth"
  "cvxpy|cvxpy==1.7.5 clarabel scs|cvxpy"
  "ecos|ecos|ecos"
  "diffcp|diffcp==1.1.8|diffcp"
  "cvxpylayers|cvxpylayers==0.1.9|cvxpylayers.torch"
  "proxsuite|proxsuite==0.8.0|proxsuite.torch.qplayer"
  "jax|jax==0.7.1 jaxlib==0.7.1|jax"
  "jaxopt|jaxopt==0.8.5|jaxopt"
)

# Which entries still need installing: compare the installed distributions' versions with the
# pins (metadata only, no imports, so a second run is fast). A broken install that imports
# badly still shows up in peers_status.json below.
printf '%s\n' "${PKGS[@]}" > "$VENV/peers-pkgs.txt"
TODO="$("$PY" - "$VENV/peers-pkgs.txt" <<'EOF'
import importlib.metadata as md, sys
for line in open(sys.argv[1]):
    name, reqs, module = line.rstrip("\n").split("|")
    need = False
    for req in reqs.split():
        dist, _, ver = req.partition("==")
        try:
            have = md.version(dist)
        except md.PackageNotFoundError:
            need = True
            break
        if ver and have != ver:
            need = True
            break
    if need:
        print(name)
EOF
)"

for entry in "${PKGS[@]}"; do
  IFS='|' read -r name reqs module <<< "$entry"
  if ! grep -qx "$name" <<< "$TODO"; then
    log "$name present"
    continue
  fi
  log "pip install $reqs"
  # shellcheck disable=SC2086
  "$PY" -m pip install -q -c "$CONS" $reqs >"$VENV/pip-$name.log" 2>&1 \
    || log "pip install $reqs FAILED (see $VENV/pip-$name.log)"
done

# ---------------------------------------------------------------- status
"$PY" - "$VENV/peers_status.json" <<'EOF'
import importlib, importlib.metadata as md, json, os, sys, traceback
os.environ.setdefault("JAX_PLATFORMS", "cpu")
mods = {
    "numpy": "numpy", "scipy": "scipy", "matplotlib": "matplotlib", "torch": "torch",
    "osqp": "osqp", "qpth": "qpth.qp", "cvxpy": "cvxpy", "diffcp": "diffcp",
    "clarabel": "clarabel", "scs": "scs", "ecos": "ecos",
    "cvxpylayers": "cvxpylayers.torch", "proxsuite": "proxsuite.torch.qplayer",
    "jax": "jax", "jaxlib": "jaxlib", "jaxopt": "jaxopt",
}
status = {}
for dist, mod in mods.items():
    try:
        importlib.import_module(mod)
        try:
            ver = md.version(dist)
        except Exception:
            ver = getattr(sys.modules[mod.split(".")[0]], "__version__", "?")
        status[dist] = {"ok": True, "version": ver, "module": mod}
    except Exception as e:
        status[dist] = {"ok": False, "module": mod,
                        "error": f"{type(e).__name__}: {e}".strip()[:500]}
# sanity: torch <-> numpy interop
try:
    import numpy as np, torch
    t = torch.from_numpy(np.arange(3.0))
    assert float(t.sum()) == 3.0
    status["torch_from_numpy"] = {"ok": True}
except Exception as e:
    status["torch_from_numpy"] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]}
with open(sys.argv[1], "w") as f:
    json.dump(status, f, indent=2)
for k, v in status.items():
    print(f"  {k:18s} {'ok  ' + str(v.get('version', '')) if v['ok'] else 'FAIL ' + v['error']}",
          file=sys.stderr)
EOF
log "status written to $VENV/peers_status.json"
