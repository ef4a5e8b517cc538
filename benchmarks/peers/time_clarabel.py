#!/usr/bin/env python3
"""Times Clarabel (called directly, forward only: it has no derivatives) on problems bpqp exported.

    time_clarabel.py FILE.npz [FILE.npz ...] [--batch 64] [--eps 1e-5]

Each problem of a file's first --batch: the OSQP-form rows l <= Ax <= u become Clarabel's
A_E x + s = b_E (zero cone) for l = u and A_I x + s = h (nonnegative cone) for each finite
side (A_i x <= u_i; -A_i x <= -l_i). The time is setup plus solve, per problem, summed over
the batch (the data conversion to scipy.sparse excluded); tol_gap_abs = tol_gap_rel =
tol_feas = eps. Prints one line per file: ms per problem, solved count, and the largest
|x - x_ref|_inf against the export's accurate solution.
"""
import argparse
import time

import numpy as np
import scipy.sparse as sp


def clarabel_problem(P, q, A, l, u):
    eq = np.isfinite(l) & np.isfinite(u) & (l == u)
    up = np.isfinite(u) & ~eq
    lo = np.isfinite(l) & ~eq
    rows = [A[eq], A[up], -A[lo]]
    rhs = [u[eq], u[up], -l[lo]]
    return (sp.csc_matrix(np.triu(P)), q, sp.csc_matrix(np.vstack(rows)), np.concatenate(rhs),
            int(eq.sum()), int(up.sum() + lo.sum()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--eps", type=float, default=1e-5)
    a = ap.parse_args()
    import clarabel
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = a.eps
    for path in a.files:
        d = np.load(path)
        count = min(a.batch, d["q"].shape[0])
        problems = [clarabel_problem(d["P"][b], d["q"][b], d["A"][b], d["l"][b], d["u"][b]) for b in range(count)]
        total, solved, x_err = 0.0, 0, 0.0
        for b, (P, q, A, rhs, n_eq, n_in) in enumerate(problems):
            cones = ([clarabel.ZeroConeT(n_eq)] if n_eq else []) + ([clarabel.NonnegativeConeT(n_in)] if n_in else [])
            t0 = time.perf_counter()
            solver = clarabel.DefaultSolver(P, q, A, rhs, cones, settings)
            result = solver.solve()
            total += time.perf_counter() - t0
            ok = str(result.status) == "Solved"
            solved += ok
            if ok and "x_ref" in d:
                x_err = max(x_err, float(np.max(np.abs(np.array(result.x) - d["x_ref"][b]))))
        print(f"{path}: clarabel {clarabel.__version__}: {1e3 * total / count:.3f} ms/problem, "
              f"{solved}/{count} solved, max |x - x_ref| {x_err:.1e}")


if __name__ == "__main__":
    main()
