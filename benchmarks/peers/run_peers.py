#!/usr/bin/env python3
"""Times differentiable QP solvers ("peers") on the problems bpqp exported.

    run_peers.py --export DIR --out peers.json [--batches 1,64,1024,16384]
                 [--cases random_qp_100x20,...] [--methods osqp+adjoint,qpth,...]
                 [--cell-budget-s 20] [--total-budget-s 600] [--eps 1e-5] [--threads 1]

Reads DIR/<family>_<n>x<m>.npz (see make_test_export.py for the format), and for every case,
method and batch size b (the first b problems of the file) measures the forward solve, the
backward pass (L = Σ_b dl_dx[b]·x[b]; gradients ∂L/∂q and, per constraint row i,
∂L/∂l_i + ∂L/∂u_i) and their sum: median over repeats
(repeated while the cell's time is < 1 s; at least 1, at most 5). One-time costs (JAX jit
compile, cvxpylayers canonicalization, conversion of the data to the peer's input format) are
excluded from the timings and reported in "note". The gradient cosine is taken on the stacked
vector (∂L/∂q, ∂L/∂l + ∂L/∂u) against (dq_ref, dlu_ref) (dq only for an export without dlu_ref).
Writes {"machine": {...}, "records": [...]}
(rewritten after every cell, so a crash keeps what was measured).

Methods (--methods takes the keys): osqp+adjoint, bpqp-paper-recipe, qpth, cvxpylayers,
proxsuite-qplayer, jaxopt-osqp. See README.md beside this file for how each is configured.
"""
import argparse
import contextlib
import datetime
import glob
import json
import math
import os
import platform
import re
import signal
import sys
import time
import traceback

METHOD_KEYS = ["osqp+adjoint", "bpqp-paper-recipe", "qpth", "cvxpylayers",
               "proxsuite-qplayer", "jaxopt-osqp"]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--export", required=True, help="directory with <family>_<n>x<m>.npz files")
    ap.add_argument("--out", required=True, help="results JSON to write")
    ap.add_argument("--batches", default="1,64,1024,16384")
    ap.add_argument("--cases", default="", help="comma list of case names (file stems); default all")
    ap.add_argument("--methods", default=",".join(METHOD_KEYS))
    ap.add_argument("--cell-budget-s", type=float, default=20.0)
    ap.add_argument("--total-budget-s", type=float, default=600.0)
    ap.add_argument("--eps", type=float, default=1e-5,
                    help="solver tolerance given to every method (eps_abs = eps_rel = eps)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-pin", action="store_true",
                    help="do not restrict the process's CPU affinity to --threads cores")
    ap.add_argument("--cvxpylayers-solver", default="SCS",
                    choices=["Clarabel", "ECOS", "SCS"])
    ap.add_argument("--cvxpylayers-tol", type=float, default=None,
                    help="cvxpylayers solver tolerance (default: --eps)")
    ap.add_argument("--jaxopt-eq-qp-solve", default="lu", choices=["lu", "cg", "cg+jacobi"])
    ap.add_argument("--jaxopt-implicit-solve", default="dense", choices=["dense", "normal_cg", "gmres"],
                    help="linear solver of jaxopt's implicit differentiation")
    ap.add_argument("--cell-timeout-s", type=float, default=0.0,
                    help="hard limit for one cell (0: 4 x cell budget + 60 s)")
    return ap.parse_args(argv)


ARGS = parse_args()

# ---- thread environment: must be set before numpy / torch / jax are imported -------------
T = max(1, ARGS.threads)
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[var] = str(T)
os.environ["JAX_PLATFORMS"] = "cpu"
os.environ["JAX_ENABLE_X64"] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + (
    " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" if T == 1 else
    f" --xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={T}")).strip()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
PINNED = None
if not ARGS.no_pin and hasattr(os, "sched_setaffinity"):
    try:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > T:
            os.sched_setaffinity(0, cpus[:T])
        PINNED = sorted(os.sched_getaffinity(0))
    except OSError:
        PINNED = None

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

warnings.filterwarnings("ignore")


def log(msg):
    print(f"[run_peers {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def quiet_stdout():
    """Silences C-level prints to stdout (OSQP prints 'Polishing not needed' even when
    verbose=False) while a cell runs; progress goes to stderr."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class CellTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds):
    if seconds <= 0 or not hasattr(signal, "SIGALRM"):
        yield
        return

    def handler(signum, frame):
        raise CellTimeout(f"cell exceeded the hard limit of {seconds:g} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------- data helpers
BIG_FACTOR = 1e6


def split_rows(l, u):
    """Row classes over a batch (b, mr) of bounds, for peers that need Gx ≤ h / Ex = b or
    fixed-size constraint sets: equality rows (l == u in every problem), upper rows (u finite
    in some problem), lower rows (l finite in some problem). A bound that is infinite in one
    problem but finite in another is replaced by a large finite value (BIG) in the former."""
    fl, fu = np.isfinite(l), np.isfinite(u)
    eq = np.all(fl & fu & (l == u), axis=0)
    up = np.any(fu, axis=0) & ~eq
    lo = np.any(fl, axis=0) & ~eq
    finite = np.concatenate([np.abs(l[fl]), np.abs(u[fu]), [1.0]])
    big = BIG_FACTOR * (1.0 + float(finite.max()))
    u_up = np.where(fu[:, up], u[:, up], big)
    l_lo = np.where(fl[:, lo], l[:, lo], -big)
    n_replaced = int((~fu[:, up]).sum() + (~fl[:, lo]).sum())
    return eq, up, lo, u_up, l_lo, n_replaced


def rows_to_dlu(b, mr, up, lo, eq, fin_up, fin_lo, d_up, d_lo, d_eq):
    """∂L/∂l_i + ∂L/∂u_i per original row i from the gradients of a split formulation.

    up, lo, eq: (mr,) row masks of split_rows; d_up (b, #up) = ∂L/∂u of the upper rows,
    d_lo (b, #lo) = ∂L/∂l of the lower rows (a formulation with h = −l passes −∂L/∂h),
    d_eq (b, #eq) = ∂L/∂b of the equality rows (None when there are none). fin_up / fin_lo
    (b, #up / #lo): the bound is finite in that problem; a bound replaced by ±BIG there
    contributes nothing (its row has no such bound in the original problem)."""
    dlu = np.zeros((b, mr))
    if up.any():
        dlu[:, up] += np.where(fin_up, d_up, 0.0)
    if lo.any():
        dlu[:, lo] += np.where(fin_lo, d_lo, 0.0)
    if eq.any() and d_eq is not None:
        dlu[:, eq] += d_eq
    return dlu


def feasible_count(A, l, u, x, eps):
    """Problems whose x is finite and satisfies l ≤ Ax ≤ u to 10·eps·(1 + ‖Ax‖∞)."""
    ok = np.all(np.isfinite(x), axis=1)
    Ax = np.einsum("bij,bj->bi", A, np.where(np.isfinite(x), x, 0.0))
    viol = np.maximum(np.maximum(Ax - u, l - Ax), 0.0)
    viol = np.where(np.isfinite(viol), viol, 0.0).max(axis=1, initial=0.0)
    scale = 1.0 + np.abs(Ax).max(axis=1, initial=0.0)
    return int(np.sum(ok & (viol <= 10 * eps * scale)))


class Case:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        mt = re.match(r"^(.*)_(\d+)x(\d+)$", self.name)
        if not mt:
            raise ValueError(f"case file name {self.name} is not <family>_<n>x<m>")
        self.family = mt.group(1)
        z = np.load(path)
        self.arr = {k: z[k] for k in z.files}
        self.n = int(self.arr["n"]) if "n" in self.arr else int(mt.group(2))
        self.m = int(self.arr["m"]) if "m" in self.arr else int(mt.group(3))
        for k in ("P", "q", "A", "l", "u", "dl_dx"):
            if k not in self.arr:
                raise ValueError(f"{path}: missing array {k}")
            self.arr[k] = np.ascontiguousarray(self.arr[k], dtype=np.float64)
        self.B = self.arr["P"].shape[0]
        self.mr = self.arr["A"].shape[1]

    def data(self, b):
        return {k: v[:b] for k, v in self.arr.items() if getattr(v, "ndim", 0) >= 1}


# ---------------------------------------------------------------- methods
class RunResult:
    """x (b,n); dq (b,n) = ∂L/∂q; dlu (b,mr) = ∂L/∂l_i + ∂L/∂u_i per original row i."""

    def __init__(self, forward_s, backward_s, x, dq, dlu, solved=None, iterations=None,
                 iter_max=None):
        self.forward_s, self.backward_s = forward_s, backward_s
        self.x, self.dq, self.dlu = x, dq, dlu
        self.solved, self.iterations, self.iter_max = solved, iterations, iter_max


class Method:
    key = ""
    name = ""
    # inherently single-threaded loops say so in the note when threads > 1
    single_threaded = False

    def variant(self):
        return ""

    def import_check(self):
        """Raise if the peer's packages cannot be imported."""

    def unsupported(self, case):
        """A reason string if this method cannot take this case at all, else None."""
        return None

    def prepare(self, case, d, b):
        """One-time work (excluded from timing). Returns a state and a note string."""
        return None, ""

    def run(self, state, d, b):
        raise NotImplementedError


def _osqp_csc(P, A):
    Pc = [sp.csc_matrix(np.triu(P[i])) for i in range(P.shape[0])]
    Ac = [sp.csc_matrix(A[i]) for i in range(A.shape[0])]
    return Pc, Ac


class OsqpAdjoint(Method):
    key = "osqp+adjoint"
    name = "osqp+adjoint"
    single_threaded = True

    def variant(self):
        return (f"osqp {self.osqp.__version__} python, loop over the batch, eps_abs=eps_rel={ARGS.eps:g}, "
                "polishing, adjoint_derivative_compute(dx) + adjoint_derivative_get_vec() "
                "(dq; dl + du per row)")

    def import_check(self):
        import osqp
        self.osqp = osqp

    def prepare(self, case, d, b):
        Pc, Ac = _osqp_csc(d["P"], d["A"])
        return (Pc, Ac), "dense→CSC conversion excluded"

    def _forward(self, Pc, Ac, d, b):
        osqp = self.osqp
        n = d["q"].shape[1]
        xs = np.full((b, n), np.nan)
        solvers, ys = [], []
        solved, iters = 0, []
        for i in range(b):
            s = osqp.OSQP()
            s.setup(P=Pc[i], q=d["q"][i], A=Ac[i], l=d["l"][i], u=d["u"][i],
                    eps_abs=ARGS.eps, eps_rel=ARGS.eps, polishing=True, verbose=False)
            r = s.solve(raise_error=False)
            ok = r.info.status_val == osqp.SolverStatus.OSQP_SOLVED
            if r.x is not None:
                xs[i] = r.x  # kept when unsolved too (max_iter reached): x error shows it
            solved += ok
            iters.append(r.info.iter)
            solvers.append(s if ok else None)
            ys.append(np.array(r.y) if ok else None)
        return xs, solvers, ys, solved, iters

    def run(self, state, d, b):
        Pc, Ac = state
        t0 = time.perf_counter()
        xs, solvers, _, solved, it = self._forward(Pc, Ac, d, b)
        t1 = time.perf_counter()
        dq = np.full_like(xs, np.nan)
        dlu = np.full((b, d["A"].shape[1]), np.nan)
        g = d["dl_dx"]
        for i in range(b):
            s = solvers[i]
            if s is None:
                continue
            try:
                s.adjoint_derivative_compute(dx=g[i])
                dqi, dli, dui = s.adjoint_derivative_get_vec()
                dq[i] = dqi
                dlu[i] = np.asarray(dli) + np.asarray(dui)
            except Exception:
                pass
        t2 = time.perf_counter()
        return RunResult(t1 - t0, t2 - t1, xs, dq, dlu, solved, float(np.mean(it)),
                         int(np.max(it)))


class PaperRecipe(OsqpAdjoint):
    key = "bpqp-paper-recipe"
    name = "bpqp-paper-recipe (osqp fwd + osqp bwd)"

    def variant(self):
        return (f"osqp {self.osqp.__version__} fwd (eps={ARGS.eps:g}, polishing) + backward QP "
                "min ½dᵀPd + gᵀd s.t. A_act d = 0 by osqp (eps same, no polishing), "
                "active = eq rows ∪ {|y_i| > eps·(1+‖y‖∞)}, ∂L/∂q = d, ∂L/∂b_act = −y, "
                "loop over the batch")

    def run(self, state, d, b):
        osqp = self.osqp
        Pc, Ac = state
        t0 = time.perf_counter()
        xs, solvers, ys, solved, it = self._forward(Pc, Ac, d, b)
        t1 = time.perf_counter()
        dq = np.full_like(xs, np.nan)
        dlu = np.full((b, d["A"].shape[1]), np.nan)
        g, A, l, u = d["dl_dx"], d["A"], d["l"], d["u"]
        for i in range(b):
            y = ys[i]
            if y is None:
                continue
            tol = ARGS.eps * (1.0 + np.abs(y).max(initial=0.0))
            act = (np.abs(y) > tol) | (np.isfinite(l[i]) & (l[i] == u[i]))
            k = int(act.sum())
            s = osqp.OSQP()
            if k:
                s.setup(P=Pc[i], q=g[i], A=sp.csc_matrix(A[i][act]), l=np.zeros(k), u=np.zeros(k),
                        eps_abs=ARGS.eps, eps_rel=ARGS.eps, polishing=False, verbose=False)
            else:
                s.setup(P=Pc[i], q=g[i], A=None, l=None, u=None,
                        eps_abs=ARGS.eps, eps_rel=ARGS.eps, polishing=False, verbose=False)
            r = s.solve(raise_error=False)
            if r.info.status_val == osqp.SolverStatus.OSQP_SOLVED:
                # [P A_actᵀ; A_act 0][d; y] = [−g; 0] (OSQP: P d + g + A_actᵀ y = 0), so
                # ∂L/∂q = d and ∂L/∂b_act = −y (b_act: the active rows' bounds); inactive: 0
                dq[i] = r.x
                dlu[i] = 0.0
                if k:
                    dlu[i, act] = -np.asarray(r.y)
        t2 = time.perf_counter()
        return RunResult(t1 - t0, t2 - t1, xs, dq, dlu, solved, float(np.mean(it)),
                         int(np.max(it)))


class TorchMethod(Method):
    _configured = False

    def import_check(self):
        import torch
        if not TorchMethod._configured:
            torch.set_num_threads(T)
            try:
                torch.set_num_interop_threads(T)
            except RuntimeError:
                pass
            # double everywhere; also makes proxsuite's qplayer allocate its gradients in double
            torch.set_default_dtype(torch.float64)
            TorchMethod._configured = True
        self.torch = torch


class Qpth(TorchMethod):
    key = "qpth"
    name = "qpth"

    def variant(self):
        return (f"qpth {self.version} QPFunction PDIPM_BATCHED double, eps={ARGS.eps:g}, maxIter=20 "
                f"(default), torch {self.torch.__version__} {T} thread(s)")

    def import_check(self):
        super().import_check()
        import importlib.metadata as md

        from qpth.qp import QPFunction
        self.QPFunction = QPFunction
        self.version = md.version("qpth")

    def unsupported(self, case):
        try:
            np.linalg.cholesky(case.arr["P"])
        except np.linalg.LinAlgError:
            return ("qpth requires P ≻ 0 (Cholesky of P fails: LP or singular P); "
                    "not regularized, so no qpth number for this case")
        return None

    def prepare(self, case, d, b):
        torch = self.torch
        eq, up, lo, u_up, l_lo, nrep = split_rows(d["l"], d["u"])
        A = d["A"]
        G = np.concatenate([A[:, up, :], -A[:, lo, :]], axis=1)
        h = np.concatenate([u_up, -l_lo], axis=1)
        note = ["dense→tensor conversion and row mapping excluded"]
        if G.shape[1] == 0:
            G = np.zeros((b, 1, A.shape[2]))
            h = np.ones((b, 1))
            note.append("no inequality rows: one dummy row 0ᵀx ≤ 1 added (qpth needs one)")
        if nrep:
            note.append(f"{nrep} infinite bounds replaced by ±BIG (row finite elsewhere in batch)")
        E = A[:, eq, :]
        be = d["u"][:, eq]
        st = dict(Q=torch.from_numpy(d["P"]), G=torch.from_numpy(np.ascontiguousarray(G)),
                  h=torch.from_numpy(np.ascontiguousarray(h)),
                  E=torch.from_numpy(np.ascontiguousarray(E)) if eq.any() else torch.empty(0),
                  be=torch.from_numpy(np.ascontiguousarray(be)) if eq.any() else torch.empty(0),
                  g=torch.from_numpy(d["dl_dx"]),
                  rows=(eq, up, lo, np.isfinite(d["u"][:, up]), np.isfinite(d["l"][:, lo])))
        note.append("mapping ∂L/∂h, ∂L/∂b back to the rows' l, u excluded")
        return st, "; ".join(note)

    def run(self, st, d, b):
        torch = self.torch
        eq, up, lo, fin_up, fin_lo = st["rows"]
        q = torch.tensor(d["q"], requires_grad=True)
        h = st["h"].detach().clone().requires_grad_(True)
        be = st["be"].detach().clone().requires_grad_(True) if eq.any() else st["be"]
        f = self.QPFunction(eps=ARGS.eps, verbose=-1, maxIter=20)
        t0 = time.perf_counter()
        x = f(st["Q"], q, st["G"], h, st["E"], be)
        t1 = time.perf_counter()
        (x * st["g"]).sum().backward()
        t2 = time.perf_counter()
        xn = x.detach().numpy().copy()
        # G rows: [upper rows (h = u); lower rows (h = −l)], so ∂L/∂l = −∂L/∂h there
        hg = h.grad.numpy()
        nu_, nl = int(up.sum()), int(lo.sum())
        dlu = rows_to_dlu(b, d["A"].shape[1], up, lo, eq, fin_up, fin_lo, hg[:, :nu_],
                          -hg[:, nu_:nu_ + nl], be.grad.numpy() if eq.any() else None)
        return RunResult(t1 - t0, t2 - t1, xn, q.grad.numpy().copy(), dlu,
                         feasible_count(d["A"], d["l"], d["u"], xn, ARGS.eps), None)


class CvxpyLayers(TorchMethod):
    key = "cvxpylayers"
    name = "cvxpylayers"

    def variant(self):
        s = ARGS.cvxpylayers_solver
        return (f"cvxpylayers {self.version} (cvxpy {self.cp.__version__}, diffcp {self.diffcp_version}) "
                f"torch, solver {s} tol {self._tol():g}, diffcp mode {self._mode_desc()}, "
                f"n_jobs={T}, P = LᵀL parametrization (½‖Lx‖²)")

    def _mode_desc(self):
        return "dense (n ≤ 200) / lsqr"

    def import_check(self):
        super().import_check()
        import importlib.metadata as md

        import cvxpy as cp
        from cvxpylayers.torch import CvxpyLayer
        self.cp, self.CvxpyLayer = cp, CvxpyLayer
        self.version = md.version("cvxpylayers")
        self.diffcp_version = md.version("diffcp")
        self._layers = {}

    def _tol(self):
        return ARGS.cvxpylayers_tol if ARGS.cvxpylayers_tol is not None else ARGS.eps

    def _solver_args(self, n):
        s = ARGS.cvxpylayers_solver
        e = self._tol()
        args = {"solve_method": s, "n_jobs_forward": T, "n_jobs_backward": T,
                "mode": "dense" if n <= 200 else "lsqr"}
        if s == "Clarabel":
            args.update(tol_gap_abs=e, tol_gap_rel=e, tol_feas=e, tol_ktratio=max(e, 1e-6))
        elif s == "ECOS":
            args.update(abstol=e, reltol=e, feastol=e)
        else:  # SCS
            args.update(eps_abs=e, eps_rel=e)
        return args

    def prepare(self, case, d, b):
        torch, cp = self.torch, self.cp
        n = d["q"].shape[1]
        eq, up, lo, u_up, l_lo, nrep = split_rows(d["l"], d["u"])
        key = (case.name, eq.tobytes(), up.tobytes(), lo.tobytes())
        note = []
        if key not in self._layers:
            t0 = time.perf_counter()
            x = cp.Variable(n)
            Lp, qp = cp.Parameter((n, n)), cp.Parameter(n)
            params, cons = [Lp, qp], []
            for rows, kind in ((up, "up"), (lo, "lo"), (eq, "eq")):
                k = int(rows.sum())
                if k == 0:
                    continue
                Ap, bp = cp.Parameter((k, n)), cp.Parameter(k)
                params += [Ap, bp]
                cons.append(Ap @ x <= bp if kind == "up" else Ap @ x >= bp if kind == "lo"
                            else Ap @ x == bp)
            prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(Lp @ x) + qp @ x), cons)
            assert prob.is_dpp()
            layer = self.CvxpyLayer(prob, parameters=params, variables=[x])
            self._layers[key] = (layer, time.perf_counter() - t0)
        layer, canon_s = self._layers[key]
        note.append(f"one-time problem canonicalization {canon_s:.2f} s (excluded)")
        # P = LᵀL with L = diag(√max(w,0)) Vᵀ from P = V diag(w) Vᵀ (works for PSD P, LP too)
        w, V = np.linalg.eigh(d["P"])
        L = np.sqrt(np.maximum(w, 0.0))[:, :, None] * np.transpose(V, (0, 2, 1))
        note.append("square root of P (eigh) excluded")
        A = d["A"]
        tens = [torch.from_numpy(np.ascontiguousarray(L))]
        rest, kinds = [], []
        for rows, bound, kind in ((up, u_up, "up"), (lo, l_lo, "lo"), (eq, d["u"][:, eq], "eq")):
            if rows.sum() == 0:
                continue
            rest += [torch.from_numpy(np.ascontiguousarray(A[:, rows, :])),
                     torch.from_numpy(np.ascontiguousarray(bound))]
            kinds.append(kind)
        if nrep:
            note.append(f"{nrep} infinite bounds replaced by ±BIG")
        note.append("mapping the bound parameters' gradients back to the rows' l, u excluded")
        rows = (eq, up, lo, np.isfinite(d["u"][:, up]), np.isfinite(d["l"][:, lo]), kinds)
        return (layer, tens[0], rest, torch.from_numpy(d["dl_dx"]), self._solver_args(n), rows), \
            "; ".join(note)

    def run(self, st, d, b):
        torch = self.torch
        layer, L, rest, g, sargs, (eq, up, lo, fin_up, fin_lo, kinds) = st
        q = torch.tensor(d["q"], requires_grad=True)
        # bound parameters (every second tensor of rest) as fresh leaves that take a gradient
        rest = [t.detach().clone().requires_grad_(True) if j % 2 else t for j, t in enumerate(rest)]
        t0 = time.perf_counter()
        (x,) = layer(L, q, *rest, solver_args=dict(sargs))
        t1 = time.perf_counter()
        (x * g).sum().backward()
        t2 = time.perf_counter()
        xn = x.detach().numpy().copy()
        # constraints A_u x ≤ u, A_l x ≥ l, A_e x = b: the parameters are u, l, b themselves
        bg = {k: rest[2 * j + 1].grad.numpy() for j, k in enumerate(kinds)}
        dlu = rows_to_dlu(b, d["A"].shape[1], up, lo, eq, fin_up, fin_lo, bg.get("up"),
                          bg.get("lo"), bg.get("eq"))
        return RunResult(t1 - t0, t2 - t1, xn, q.grad.numpy().copy(), dlu,
                         feasible_count(d["A"], d["l"], d["u"], xn, ARGS.eps), None)


class ProxsuiteQPLayer(TorchMethod):
    key = "proxsuite-qplayer"
    name = "proxsuite-qplayer"

    def variant(self):
        return (f"proxsuite {self.version} proxsuite.torch.qplayer.QPFunction (dense ProxQP), "
                f"eps={ARGS.eps:g}, eps_backward={ARGS.eps:g}, maxIter=1000, "
                f"omp_parallel={T > 1}" + (" (the layer then uses os.cpu_count()/2 threads)" if T > 1 else "")
                + ", structural_feasibility=True")

    def import_check(self):
        super().import_check()
        import importlib.metadata as md

        from proxsuite.torch.qplayer import QPFunction
        self.QPFunction = QPFunction
        self.version = md.version("proxsuite")

    def prepare(self, case, d, b):
        torch = self.torch
        l, u, A = d["l"], d["u"], d["A"]
        fl, fu = np.isfinite(l), np.isfinite(u)
        eq = np.all(fl & fu & (l == u), axis=0)
        ineq = ~eq
        # proxsuite's convention for an infinite bound is ±1e20
        lc = np.where(fl[:, ineq], l[:, ineq], -1e20)
        uc = np.where(fu[:, ineq], u[:, ineq], 1e20)
        st = dict(Q=torch.from_numpy(d["P"]),
                  E=torch.from_numpy(np.ascontiguousarray(A[:, eq, :])) if eq.any() else torch.empty(0),
                  be=torch.from_numpy(np.ascontiguousarray(u[:, eq])) if eq.any() else torch.empty(0),
                  C=torch.from_numpy(np.ascontiguousarray(A[:, ineq, :])),
                  lc=torch.from_numpy(np.ascontiguousarray(lc)),
                  uc=torch.from_numpy(np.ascontiguousarray(uc)),
                  g=torch.from_numpy(d["dl_dx"]),
                  rows=(eq, ineq, fl[:, ineq], fu[:, ineq]))
        return st, ("dense→tensor conversion excluded; infinite bounds passed as ±1e20; "
                    "summing ∂L/∂l + ∂L/∂u (+ ∂L/∂b) per row excluded")

    def run(self, st, d, b):
        torch = self.torch
        eq, ineq, fin_l, fin_u = st["rows"]
        q = torch.tensor(d["q"], requires_grad=True)
        lc = st["lc"].detach().clone().requires_grad_(True)
        uc = st["uc"].detach().clone().requires_grad_(True)
        be = st["be"].detach().clone().requires_grad_(True) if eq.any() else st["be"]
        f = self.QPFunction(eps=ARGS.eps, maxIter=1000, eps_backward=ARGS.eps,
                            omp_parallel=T > 1, structural_feasibility=True)
        t0 = time.perf_counter()
        x = f(st["Q"], q, st["E"], be, st["C"], lc, uc)[0]
        t1 = time.perf_counter()
        (x * st["g"]).sum().backward()
        t2 = time.perf_counter()
        xn = x.detach().numpy().copy()
        # l ≤ Cx ≤ u rows directly (a ±1e20 stand-in for an infinite bound contributes nothing);
        # l == u rows as Ex = b
        dlu = np.zeros((b, d["A"].shape[1]))
        dlu[:, ineq] = (np.where(fin_l, lc.grad.numpy(), 0.0)
                        + np.where(fin_u, uc.grad.numpy(), 0.0))
        if eq.any():
            dlu[:, eq] = be.grad.numpy()
        return RunResult(t1 - t0, t2 - t1, xn, q.grad.numpy().copy(), dlu,
                         feasible_count(d["A"], d["l"], d["u"], xn, ARGS.eps), None)


class JaxoptOsqp(Method):
    key = "jaxopt-osqp"
    name = "jaxopt-osqp"

    def variant(self):
        return (f"jaxopt {self.version} BoxOSQP (OSQP form l ≤ Ax ≤ u), jax {self.jax.__version__} cpu x64, "
                f"jit(vmap), tol={ARGS.eps:g}, eq_qp_solve={ARGS.jaxopt_eq_qp_solve}, maxiter=4000, "
                f"implicit diff ({ARGS.jaxopt_implicit_solve} solve of the KKT optimality conditions), "
                "vjp w.r.t. q and params_ineq (l, u)")

    def import_check(self):
        import importlib.metadata as md

        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import jaxopt
        from jax.flatten_util import ravel_pytree
        from jaxopt import linear_solve
        self.jax, self.jnp = jax, jnp
        self.version = md.version("jaxopt")

        def solve_dense(matvec, b, **kw):
            # jaxopt's solve_lu takes arrays only; the KKT unknowns are a pytree
            fb, unravel = ravel_pytree(b)
            M = jax.jacfwd(lambda v: ravel_pytree(matvec(unravel(v)))[0])(fb)
            # least squares: the KKT map is singular where a bound is infinite (zero rows
            # for the multiplier of l = -inf); the minimum-norm solution is the gradient
            return unravel(jnp.linalg.lstsq(M, fb)[0])

        isolve = {"dense": solve_dense, "normal_cg": linear_solve.solve_normal_cg,
                  "gmres": linear_solve.solve_gmres}[ARGS.jaxopt_implicit_solve]
        solver = jaxopt.BoxOSQP(tol=ARGS.eps, maxiter=4000, eq_qp_solve=ARGS.jaxopt_eq_qp_solve,
                                check_primal_dual_infeasability=False, implicit_diff=True,
                                implicit_diff_solve=isolve, jit=True)
        self.solver = solver

        def solve_x(P, q, A, l, u):
            out = solver.run(params_obj=(P, q), params_eq=A, params_ineq=(l, u))
            return out.params.primal[0], (out.state.iter_num, out.state.status)

        def fwd(P, q, A, l, u):
            f = lambda qq, ll, uu: jax.vmap(solve_x)(P, qq, A, ll, uu)  # noqa: E731
            x, vjp, aux = jax.vjp(f, q, l, u, has_aux=True)
            return x, vjp, aux

        def bwd(vjp, g, fin_l, fin_u):
            # ∂L/∂q and ∂L/∂l + ∂L/∂u (params_ineq = (l, u)); an infinite bound contributes 0
            dq, dl, du = vjp(g)
            return dq, jnp.where(fin_l, dl, 0.0) + jnp.where(fin_u, du, 0.0)

        self.fwd = jax.jit(fwd)
        self.bwd = jax.jit(bwd)
        self._compiled = set()

    def prepare(self, case, d, b):
        jnp, jax = self.jnp, self.jax
        arrs = [jnp.asarray(d[k]) for k in ("P", "q", "A", "l", "u")]
        g = (jnp.asarray(d["dl_dx"]), jnp.asarray(np.isfinite(d["l"])),
             jnp.asarray(np.isfinite(d["u"])))
        note = "host→device array conversion excluded"
        key = (case.name, b)
        if key not in self._compiled:
            t0 = time.perf_counter()
            x, vjp, aux = self.fwd(*arrs)
            jax.block_until_ready((x, vjp, aux))
            jax.block_until_ready(self.bwd(vjp, *g))
            self._compiled.add(key)
            note = f"jit compile + first run {time.perf_counter() - t0:.2f} s (excluded); " + note
        return (arrs, g), note

    def run(self, st, d, b):
        jax = self.jax
        arrs, g = st
        t0 = time.perf_counter()
        x, vjp, (iters, status) = self.fwd(*arrs)
        jax.block_until_ready((x, vjp, iters, status))
        t1 = time.perf_counter()
        dq, dlu = self.bwd(vjp, *g)
        jax.block_until_ready((dq, dlu))
        t2 = time.perf_counter()
        status, iters = np.asarray(status), np.asarray(iters)
        return RunResult(t1 - t0, t2 - t1, np.asarray(x).copy(), np.asarray(dq).copy(),
                         np.asarray(dlu).copy(), int(np.sum(status == 1)), float(np.mean(iters)),
                         int(np.max(iters)))


ALL_METHODS = {c.key: c for c in (OsqpAdjoint, PaperRecipe, Qpth, CvxpyLayers, ProxsuiteQPLayer,
                                   JaxoptOsqp)}


# ---------------------------------------------------------------- metrics / records
def fnum(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def accuracy(case, d, b, x, dq, dlu):
    """x error and the gradient cosine per problem on the stacked vector (∂L/∂q, ∂L/∂l + ∂L/∂u)
    against (dq_ref, dlu_ref), over the problems with ref_ok; an export without dlu_ref gets
    the cosine of ∂L/∂q alone (said in the notes)."""
    notes = []
    xr = d.get("x_ref")
    xerr = None
    if xr is not None:
        fin = np.all(np.isfinite(x), axis=1)
        err = np.linalg.norm(x - xr, axis=1) / np.maximum(1.0, np.linalg.norm(xr, axis=1))
        if not fin.all():
            notes.append(f"{int((~fin).sum())} non-finite x")
        xerr = float(err[fin].max()) if fin.any() else None
    cmean = cmin = None
    if "dq_ref" in d:
        ok = d["ref_ok"].astype(bool) if "ref_ok" in d else np.ones(b, bool)
        if "dlu_ref" in d:
            ref = np.concatenate([d["dq_ref"], d["dlu_ref"]], axis=1)
            grad = np.concatenate([dq, dlu], axis=1)
            what = "(dq, dlu)"
        else:
            ref, grad = d["dq_ref"], dq
            what = "dq"
            notes.append("export has no dlu_ref: gradient cosine on ∂L/∂q only")
        rn = np.linalg.norm(ref, axis=1)
        zero_ref = ok & (rn <= 1e-9)
        use = ok & ~zero_ref
        if zero_ref.any():
            gz = np.linalg.norm(np.where(np.isfinite(grad[zero_ref]), grad[zero_ref], np.inf), axis=1)
            notes.append(f"{int(zero_ref.sum())} problems with zero reference gradient left out of "
                         f"the cosine (there max ‖{what}‖ = {gz.max():.1e})")
        if use.any():
            g, r = grad[use], ref[use]
            fin = np.all(np.isfinite(g), axis=1)
            g0 = np.where(np.isfinite(g), g, 0.0)
            gn = np.linalg.norm(g0, axis=1)
            cos = np.where(fin & (gn > 0), np.sum(g0 * r, axis=1)
                           / np.maximum(gn * rn[use], 1e-300), 0.0)
            if (~fin).any() or (gn == 0).any():
                notes.append(f"{int((~fin).sum() + (fin & (gn == 0)).sum())} gradients non-finite "
                             "or zero (counted as cosine 0)")
            cmean, cmin = float(cos.mean()), float(cos.min())
        n_bad = int((~ok).sum())
        if n_bad:
            notes.append(f"{n_bad} problems without a trustworthy reference")
    return xerr, cmean, cmin, notes


def base_record(method, variant, case, b):
    return {"method": method, "variant": variant, "family": case.family, "n": case.n, "m": case.m,
            "batch": int(b), "precision": "double", "backend": "cpu", "threads": T,
            "sharing": "per_problem", "forward_s": None, "backward_s": None, "total_s": None,
            "repeats": 0, "solved": None, "iterations_mean": None, "x_rel_err_max": None,
            "grad_cosine_mean": None, "grad_cosine_min": None, "status": "ok", "note": ""}


def machine_info(methods_status):
    info = {"side": "peers", "script": "benchmarks/peers/run_peers.py",
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "platform": platform.platform(), "python": platform.python_version(),
            "cpu_count": os.cpu_count(), "threads": T, "pinned_cpus": PINNED, "eps": ARGS.eps,
            "cell_budget_s": ARGS.cell_budget_s, "total_budget_s": ARGS.total_budget_s,
            "xla_flags": os.environ.get("XLA_FLAGS"),
            # other load on the machine distorts timings: 1-minute load average at start / end
            "loadavg_start": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import importlib.metadata as md
    vers = {}
    for p in ("numpy", "scipy", "torch", "osqp", "qpth", "cvxpy", "cvxpylayers", "diffcp",
              "clarabel", "ecos", "scs", "proxsuite", "jax", "jaxlib", "jaxopt"):
        try:
            vers[p] = md.version(p)
        except Exception:
            vers[p] = None
    info["packages"] = vers
    info["methods"] = methods_status
    return info


# ---------------------------------------------------------------- driver
def main():
    batches = sorted({int(x) for x in ARGS.batches.split(",") if x.strip()})
    files = sorted(glob.glob(os.path.join(ARGS.export, "*.npz")))
    want = {c.strip() for c in ARGS.cases.split(",") if c.strip()}
    if want:
        names = {os.path.splitext(os.path.basename(f))[0] for f in files}
        for w in sorted(want - names):
            log(f"case {w} not found in {ARGS.export}")
        files = [f for f in files if os.path.splitext(os.path.basename(f))[0] in want]
    if not files:
        log(f"no case files in {ARGS.export}")
    keys = [k.strip() for k in ARGS.methods.split(",") if k.strip()]
    for k in keys:
        if k not in ALL_METHODS:
            sys.exit(f"unknown method {k}; known: {', '.join(ALL_METHODS)}")

    methods, import_err, mstatus = [], {}, {}
    for k in keys:
        m = ALL_METHODS[k]()
        try:
            with quiet_stdout():
                m.import_check()
            mstatus[m.name] = {"ok": True, "variant": m.variant()}
        except Exception as e:
            import_err[k] = f"{type(e).__name__}: {e}"
            mstatus[m.name] = {"ok": False, "error": import_err[k]}
            log(f"{k}: not installed ({import_err[k]})")
        methods.append(m)

    out = {"machine": machine_info(mstatus), "records": []}
    records = out["records"]

    def save():
        tmp = ARGS.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=1)
        os.replace(tmp, ARGS.out)

    t_start = time.perf_counter()
    cell_timeout = ARGS.cell_timeout_s or (4 * ARGS.cell_budget_s + 60)

    for path in files:
        try:
            case = Case(path)
        except Exception as e:
            log(f"{path}: cannot read ({e})")
            continue
        log(f"case {case.name}: B={case.B} n={case.n} m={case.m} rows={case.mr}")
        for m in methods:
            if m.key in import_err:
                r = base_record(m.name, "", case, 0)
                r.update(status="not_installed", note=import_err[m.key], batch=None)
                records.append(r)
                save()
                continue
            variant = m.variant()
            why = m.unsupported(case)
            if why:
                for b in batches:
                    r = base_record(m.name, variant, case, b)
                    r.update(status="skipped", note=why)
                    records.append(r)
                log(f"  {m.key}: skipped ({why})")
                save()
                continue
            per_problem = None  # seconds per problem from the last measured (or probed) cell
            stop_note = None
            for b in batches:
                r = base_record(m.name, variant, case, b)
                if stop_note:
                    r.update(status="skipped", note=stop_note)
                    records.append(r)
                    continue
                if b > case.B:
                    r.update(status="skipped", note=f"batch {b} > {case.B} problems exported")
                    records.append(r)
                    continue
                elapsed = time.perf_counter() - t_start
                if elapsed >= ARGS.total_budget_s:
                    stop_note = f"total budget {ARGS.total_budget_s:g} s used up"
                    r.update(status="skipped", note=stop_note)
                    records.append(r)
                    continue
                if per_problem is None and b > 1:
                    # probe one problem to estimate this cell
                    try:
                        with quiet_stdout(), time_limit(cell_timeout):
                            st, _ = m.prepare(case, case.data(1), 1)
                            pr = m.run(st, case.data(1), 1)
                        per_problem = pr.forward_s + pr.backward_s
                    except Exception:
                        per_problem = None
                if per_problem is not None:
                    est = per_problem * b
                    if est > ARGS.cell_budget_s:
                        stop_note = f"estimated {est:.1f} s > cell budget {ARGS.cell_budget_s:g} s"
                        r.update(status="skipped", note=stop_note)
                        records.append(r)
                        log(f"  {m.key} b={b}: skipped ({stop_note})")
                        continue
                    if elapsed + est > ARGS.total_budget_s:
                        stop_note = (f"estimated {est:.1f} s would exceed the total budget "
                                     f"{ARGS.total_budget_s:g} s ({elapsed:.0f} s used)")
                        r.update(status="skipped", note=stop_note)
                        records.append(r)
                        log(f"  {m.key} b={b}: skipped ({stop_note})")
                        continue
                d = case.data(b)
                try:
                    runs = []
                    with quiet_stdout(), time_limit(cell_timeout):
                        st, prep_note = m.prepare(case, d, b)
                        tot = 0.0
                        while True:
                            rr = m.run(st, d, b)
                            runs.append(rr)
                            tot += rr.forward_s + rr.backward_s
                            if len(runs) >= 5 or tot >= 1.0:
                                break
                    fw = float(np.median([x.forward_s for x in runs]))
                    bw = float(np.median([x.backward_s for x in runs]))
                    tt = float(np.median([x.forward_s + x.backward_s for x in runs]))
                    first = runs[0]
                    xerr, cmean, cmin, anotes = accuracy(case, d, b, first.x, first.dq, first.dlu)
                    notes = [prep_note] if prep_note else []
                    if m.single_threaded and T > 1:
                        notes.append("sequential loop: uses 1 of the threads")
                    if first.iter_max is not None:
                        notes.append(f"iterations max {first.iter_max}")
                    notes += anotes
                    r.update(forward_s=fw, backward_s=bw, total_s=tt, repeats=len(runs),
                             solved=first.solved, iterations_mean=fnum(first.iterations),
                             x_rel_err_max=fnum(xerr), grad_cosine_mean=fnum(cmean),
                             grad_cosine_min=fnum(cmin), note="; ".join(notes))
                    per_problem = tt / b
                    log(f"  {m.key} b={b}: fwd {fw * 1e3:.2f} ms bwd {bw * 1e3:.2f} ms "
                        f"total {tt * 1e3:.2f} ms ({len(runs)} reps) solved {first.solved}/{b} "
                        f"xerr {xerr if xerr is None else f'{xerr:.1e}'} "
                        f"cos {cmean if cmean is None else f'{cmean:.6f}'}/"
                        f"{cmin if cmin is None else f'{cmin:.6f}'}")
                except Exception as e:
                    msg = f"{type(e).__name__}: {e}".strip()
                    r.update(status="failed", note=msg[:1000])
                    log(f"  {m.key} b={b}: FAILED {msg[:300]}")
                    if not isinstance(e, CellTimeout):
                        traceback.print_exc(file=sys.stderr)
                    stop_note = f"not run: batch {b} failed ({msg[:200]})"
                records.append(r)
                save()
        del case
    out["machine"]["wall_s"] = round(time.perf_counter() - t_start, 1)
    if hasattr(os, "getloadavg"):
        out["machine"]["loadavg_end"] = round(os.getloadavg()[0], 2)
    save()
    log(f"wrote {len(records)} records to {ARGS.out}")


if __name__ == "__main__":
    main()
