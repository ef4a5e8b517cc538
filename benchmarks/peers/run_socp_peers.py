#!/usr/bin/env python3
"""Times the peers on the SOCPs bpqp exported (bpqp_bench --export on a family with cone blocks):
cvxpylayers (forward + backward, through diffcp) and Clarabel and SCS (forward only: they have no
derivatives), one thread each, on the same problems.

    run_socp_peers.py --export DIR --cases random_socp_10x5,... --batch 64 --out peers_socp.json
                      [--eps 1e-5] [--methods cvxpylayers,clarabel,scs] [--cell-budget-s 60]

The export's rows are bpqp's: box rows l <= A x <= u, and cone blocks (the "cones" array:
first_row, dim, kind) with A_k x - l_k in K (u = +inf). Each peer gets the same problem:
Clarabel and SCS as A' x + s = b', s in K' with the box rows' finite sides as nonnegative rows,
equalities as zero rows and each block as a second-order cone on s = A_k x - l_k (a rotated
block mapped to the standard cone by ((t+s)/sqrt2, (t-s)/sqrt2, w)); cvxpylayers as a CVXPY
problem with q, A, l and u as parameters (what bpqp differentiates), each block a cp.SOC.
Records follow the schema of run_peers.py (benchmarks/peers/README.md): forward_s, backward_s,
total_s for the whole batch (setup included for Clarabel and SCS, canonicalization excluded
for cvxpylayers), solved count, x error against the export's accurate x_ref, and the cosine of
(dL/dq, dL/dl + dL/du) against the export's full-KKT reference.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

ROOT2 = np.sqrt(2.0)


def load(path):
    d = dict(np.load(path))
    d["cones"] = [(int(r[0]), int(r[1]), int(r[2])) for r in d.get("cones", np.zeros((0, 3)))]
    return d


def rotate_rows(M, first):
    """The rotated cone's coordinates on rows first, first + 1 of M (the last axis: columns)."""
    a, b = M[..., first, :].copy(), M[..., first + 1, :].copy()
    M[..., first, :], M[..., first + 1, :] = (a + b) / ROOT2, (a - b) / ROOT2


def standard_form(d, b):
    """Problem b as (P, q, A, l, blocks) with every block a standard second-order cone and
    the box rows listed apart: (box_rows, cone (first, dim) list in the rotated coordinates)."""
    A = d["A"][b].copy()
    lo = d["l"][b].copy()[:, None]
    in_cone = np.zeros(A.shape[0], bool)
    blocks = []
    for first, dim, kind in d["cones"]:
        if kind == 1:
            rotate_rows(A, first)
            rotate_rows(lo, first)
        in_cone[first:first + dim] = True
        blocks.append((first, dim))
    return A, lo[:, 0], ~in_cone, blocks


def conic_data(d, b):
    """A' x + s = b', s in (zero^z, nonneg^p, SOC...): the rows in that order (SCS's)."""
    A, l, box, blocks = standard_form(d, b)
    u = d["u"][b]
    eq = box & np.isfinite(l) & (l == u) & (np.abs(l) < 1e20)
    up = box & ~eq & np.isfinite(u) & (np.abs(u) < 1e20)
    lo = box & ~eq & np.isfinite(l) & (np.abs(l) < 1e20)
    rows, rhs = [A[eq], A[up], -A[lo]], [u[eq], u[up], -l[lo]]
    for first, dim in blocks:  # s = A x - l in Q: A' = -A, b' = -l
        rows.append(-A[first:first + dim])
        rhs.append(-l[first:first + dim])
    return (np.vstack(rows), np.concatenate(rhs), int(eq.sum()), int(up.sum() + lo.sum()),
            [dim for _, dim in blocks])


class Clarabel:
    name = "clarabel"

    def __init__(self, eps):
        import clarabel
        import scipy.sparse as sp
        self.m, self.sp, self.eps = clarabel, sp, eps
        self.version = clarabel.__version__

    def variant(self):
        return f"Clarabel {self.version}, tol_gap_abs = tol_gap_rel = tol_feas = {self.eps:g}, setup + solve"

    def solve(self, d, b):
        A, rhs, z, p, socs = conic_data(d, b)
        s = self.m.DefaultSettings()
        s.verbose = False
        s.tol_gap_abs = s.tol_gap_rel = s.tol_feas = self.eps
        cones = ([self.m.ZeroConeT(z)] if z else []) + ([self.m.NonnegativeConeT(p)] if p else []) + \
                [self.m.SecondOrderConeT(k) for k in socs]
        P = self.sp.csc_matrix(np.triu(d["P"][b]))
        Asp = self.sp.csc_matrix(A)
        t0 = time.perf_counter()
        r = self.m.DefaultSolver(P, d["q"][b], Asp, rhs, cones, s).solve()
        return time.perf_counter() - t0, str(r.status) == "Solved", np.array(r.x)


class Scs:
    name = "scs"

    def __init__(self, eps):
        import scs
        import scipy.sparse as sp
        self.m, self.sp, self.eps = scs, sp, eps
        self.version = scs.__version__

    def variant(self):
        return f"SCS {self.version}, eps_abs = eps_rel = {self.eps:g}, setup + solve"

    def solve(self, d, b):
        A, rhs, z, p, socs = conic_data(d, b)
        data = dict(P=self.sp.csc_matrix(np.triu(d["P"][b])), A=self.sp.csc_matrix(A), b=rhs, c=d["q"][b])
        t0 = time.perf_counter()
        solver = self.m.SCS(data, dict(z=z, l=p, q=socs), eps_abs=self.eps, eps_rel=self.eps, verbose=False)
        r = solver.solve()
        return time.perf_counter() - t0, r["info"]["status"] == "solved", np.array(r["x"])


class CvxpyLayers:
    name = "cvxpylayers"

    def __init__(self, eps):
        import importlib.metadata as md

        import cvxpy as cp
        import torch
        from cvxpylayers.torch import CvxpyLayer
        torch.set_num_threads(1)
        torch.set_default_dtype(torch.float64)
        self.cp, self.torch, self.Layer, self.eps = cp, torch, CvxpyLayer, eps
        self.version = md.version("cvxpylayers")

    def variant(self):
        return (f"cvxpylayers {self.version} (cvxpy {self.cp.__version__}) torch {self.torch.__version__}, "
                f"solver SCS eps {self.eps:g}, q, A, l, u as parameters, 1 thread")

    def batch(self, d, count, g):
        """Forward and backward of the first `count` problems in one batched layer call."""
        cp, torch = self.cp, self.torch
        n = d["q"].shape[1]
        A0, l0, box, blocks = standard_form(d, 0)
        u = d["u"][:count]
        box_idx = np.flatnonzero(box)
        up = [i for i in box_idx if np.isfinite(u[0, i]) and abs(u[0, i]) < 1e20 and d["l"][0, i] != u[0, i]]
        lo = [i for i in box_idx if np.isfinite(d["l"][0, i]) and abs(d["l"][0, i]) < 1e20 and d["l"][0, i] != u[0, i]]
        eq = [i for i in box_idx if d["l"][0, i] == u[0, i]]
        x = cp.Variable(n)
        qp = cp.Parameter(n)
        Ap = cp.Parameter(A0.shape)
        lp = cp.Parameter(A0.shape[0])
        up_p = cp.Parameter(len(up)) if up else None
        cons = []
        Ax = Ap @ x
        if up:
            cons.append(Ax[up] <= up_p)
        if lo:
            cons.append(Ax[lo] >= lp[lo])
        if eq:
            cons.append(Ax[eq] == lp[eq])
        for first, dim in blocks:
            s = Ax[first:first + dim] - lp[first:first + dim]
            cons.append(cp.SOC(s[0], s[1:]) if dim > 1 else s[0] >= 0)
        P = d["P"][0]
        objective = qp @ x
        if np.any(P):
            w, V = np.linalg.eigh(P)
            objective = objective + 0.5 * cp.sum_squares(np.sqrt(np.maximum(w, 0))[:, None] * V.T @ x)
        prob = cp.Problem(cp.Minimize(objective), cons)
        params = [qp, Ap, lp] + ([up_p] if up else [])
        t0 = time.perf_counter()
        layer = self.Layer(prob, parameters=params, variables=[x])
        canon = time.perf_counter() - t0
        As, ls = zip(*[standard_form(d, b)[:2] for b in range(count)])
        q = torch.tensor(d["q"][:count], requires_grad=True)
        A_t = torch.tensor(np.stack(As), requires_grad=True)
        l_t = torch.tensor(np.stack(ls), requires_grad=True)
        args = [q, A_t, l_t] + ([torch.tensor(u[:, up], requires_grad=True)] if up else [])
        sargs = dict(eps=self.eps, n_jobs_forward=1, n_jobs_backward=1)
        t0 = time.perf_counter()
        (xs,) = layer(*args, solver_args=sargs)
        t1 = time.perf_counter()
        (xs * torch.tensor(g)).sum().backward()
        t2 = time.perf_counter()
        # dL/dl in the user's coordinates (the rotated blocks' parameter is R l: R is its own inverse)
        dl = l_t.grad.numpy().copy()
        for first, dim, kind in d["cones"]:
            if kind == 1:
                a, b2 = dl[:, first].copy(), dl[:, first + 1].copy()
                dl[:, first], dl[:, first + 1] = (a + b2) / ROOT2, (a - b2) / ROOT2
        du = np.zeros_like(dl)
        if up:
            du[:, up] = args[3].grad.numpy()
        return t1 - t0, t2 - t1, canon, xs.detach().numpy(), q.grad.numpy(), dl + du


def cosine(a, b):
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 and nb == 0:
        return 1.0
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def record(method, variant, case, d, count, fwd, bwd, solved, x_err, cos=None, note=""):
    n = d["q"].shape[1]
    family, size = case.rsplit("_", 1)
    nn, mm = (int(v) for v in size.split("x"))
    r = {"method": method, "variant": variant, "family": family, "n": nn, "m": mm, "rows": int(d["A"].shape[1]),
         "batch": count, "precision": "double", "threads": 1, "sharing": "per_problem", "backend": "cpu",
         "forward_s": fwd, "backward_s": bwd, "total_s": None if bwd is None else fwd + bwd, "solved": solved,
         "x_rel_err_max": x_err, "status": "ok", "note": note, "variables": n}
    if cos:
        r["grad_cosine_mean"], r["grad_cosine_min"] = float(np.mean(cos)), float(np.min(cos))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--export", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--eps", type=float, default=1e-5)
    ap.add_argument("--methods", default="cvxpylayers,clarabel,scs")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    records = []
    methods = a.methods.split(",")
    for case in a.cases.split(","):
        d = load(os.path.join(a.export, case + ".npz"))
        count = min(a.batch, d["q"].shape[0])
        xref, ok = d["x_ref"][:count], d["ref_ok"][:count]
        scale = np.maximum(1.0, np.abs(xref).max(axis=1))
        for key in methods:
            if key in ("clarabel", "scs"):
                m = Clarabel(a.eps) if key == "clarabel" else Scs(a.eps)
                total, solved, err = 0.0, 0, 0.0
                for b in range(count):
                    t, good, x = m.solve(d, b)
                    total += t
                    solved += good
                    if good and ok[b]:
                        err = max(err, float(np.abs(x - xref[b]).max() / scale[b]))
                records.append(record(key, m.variant(), case, d, count, total, None, solved, err))
            elif key == "cvxpylayers":
                m = CvxpyLayers(a.eps)
                fwd, bwd, canon, xs, dq, dlu = m.batch(d, count, d["dl_dx"][:count])
                err = max(float(np.abs(xs[b] - xref[b]).max() / scale[b]) for b in range(count) if ok[b])
                cos = [cosine(np.concatenate([dq[b], dlu[b]]), np.concatenate([d["dq_ref"][b], d["dlu_ref"][b]]))
                       for b in range(count) if ok[b]]
                records.append(record(key, m.variant(), case, d, count, fwd, bwd, count, err, cos,
                                      f"one-time canonicalization {canon:.2f} s excluded"))
            else:
                sys.exit(f"unknown method {key}")
            r = records[-1]
            print(f"{case} {key}: forward {1e3 * r['forward_s'] / count:.3f} ms/problem"
                  + (f", backward {1e3 * r['backward_s'] / count:.3f}" if r["backward_s"] is not None else "")
                  + f", {r['solved']}/{count} solved, x error {r['x_rel_err_max']:.1e}"
                  + (f", cosine min {r['grad_cosine_min']:.6f}" if "grad_cosine_min" in r else ""), flush=True)
    machine = {"cpu": platform.processor() or platform.machine(), "python": sys.version.split()[0]}
    with open(a.out, "w") as f:
        json.dump({"machine": machine, "records": records}, f, indent=1)


if __name__ == "__main__":
    main()
