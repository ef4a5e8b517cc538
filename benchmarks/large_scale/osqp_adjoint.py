"""OSQP and its adjoint derivative (OSQP ≥ 1.0: adjoint_derivative_compute) on a problem that
bpqp_large_scale exported, timed the same way (setup + solve, then the adjoint), and the
gradient compared with bpqp's: the cosine of (∂L/∂q, ∂L/∂l + ∂L/∂u) between the two, and x's
relative difference. One thread, eps 1e-5, polishing on. Prints one JSON line.

    python osqp_adjoint.py case.npz
"""
import json
import sys
import time

import numpy as np
import osqp
import scipy.sparse as sp


def main(path):
    d = np.load(path)
    n, m = len(d["q"]), len(d["l"])
    P = sp.csc_matrix((d["P_values"], d["P_row_indices"].astype(np.int64), d["P_col_starts"].astype(np.int64)),
                      shape=(n, n))
    A = sp.csc_matrix((d["A_values"], d["A_row_indices"].astype(np.int64), d["A_col_starts"].astype(np.int64)),
                      shape=(m, n))
    start = time.perf_counter()
    solver = osqp.OSQP()
    solver.setup(P, d["q"], A, d["l"], d["u"], eps_abs=1e-5, eps_rel=1e-5, polish=True, verbose=False)
    result = solver.solve()
    forward = time.perf_counter() - start
    start = time.perf_counter()
    solver.adjoint_derivative_compute(dx=d["g"])
    dq, dl, du = solver.adjoint_derivative_get_vec()
    solver.adjoint_derivative_get_mat(as_dense=False, dP_as_triu=True)
    adjoint = time.perf_counter() - start
    ours = np.concatenate([d["dq"], d["dl"] + d["du"]])
    theirs = np.concatenate([dq, dl + du])
    cosine = float(ours @ theirs / (np.linalg.norm(ours) * np.linalg.norm(theirs)))
    x_diff = float(np.linalg.norm(result.x - d["x"]) / max(1.0, np.linalg.norm(d["x"])))
    print(json.dumps({"n": n, "m": m, "status": result.info.status, "iterations": int(result.info.iter),
                      "polish": int(result.info.status_polish), "forward_s": forward, "adjoint_s": adjoint,
                      "gradient_cosine_to_bpqp": cosine, "x_relative_difference": x_diff}))


if __name__ == "__main__":
    main(sys.argv[1])
