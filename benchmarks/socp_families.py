#!/usr/bin/env python3
"""SOCPs of common shapes, written as CBF and solved by `bpqp solve`, against Clarabel: a check of
robustness beyond tests/data/cbf (feasible, infeasible and unbounded problems; standard and
rotated cones; one large block or many small ones).

usage: socp_families.py BPQP_BINARY [--sizes 40,150,400] [--seeds 1,2] [FAMILY...]
       (run with build/peers-venv/bin/python: NumPy, SciPy and Clarabel; benchmarks/prepare.sh
       sets it up)

Families (our own data, seeded; n grows with the size argument):
- sum_of_norms: minimize Σ t_i subject to ‖F_i x − g_i‖₂ ≤ t_i (size blocks of dimension 3),
  −1 ≤ x ≤ 1 and a few sparse equality rows (Fermat–Weber, CBLIB's nb family's shape).
- robust_lp: minimize cᵀx over x ≥ 0 with a_iᵀx + 0.1‖E_i x‖₂ ≤ b_i (blocks of dimension 5);
  c has negative entries, so most are unbounded (dual infeasible).
- robust_lp_box: the same with x ≤ 2 (bounded: solved).
- portfolio: maximize μᵀw subject to Σw = 1, w ≥ 0, ‖G w‖₂ ≤ σ (one block of size/5 + 1 rows).
- portfolio_infeasible: the same with ‖G w‖₂ ≤ −0.01 (primal infeasible).
- lasso_socp: minimize t + 0.1·Σs subject to ‖F x − g‖₂ ≤ t (one block of 2·size + 1 rows),
  −s ≤ x ≤ s.
- rotated_ls: minimize Σ t_i + cᵀx subject to 2·t_i·½ ≥ (f_iᵀx − g_i)² (rotated blocks of
  dimension 3) and Σx = 1.

A row is correct when bpqp's status matches Clarabel's (Solved ↔ solved with objectives equal to
1e-5 relative; PrimalInfeasible ↔ primal_infeasible; DualInfeasible ↔ dual_infeasible). Default
settings on both sides (bpqp's eps 1e-5). Prints one row per problem; exits 0 (it reports, it
does not judge).
"""
import argparse, json, os, subprocess, tempfile, time

import numpy as np
import scipy.sparse as sp

FAMILIES = ["sum_of_norms", "robust_lp", "robust_lp_box", "portfolio", "portfolio_infeasible", "lasso_socp",
            "rotated_ls"]


def sparse_random(rng, rows, cols, per_row):
    """Gaussian entries, each present with probability per_row / cols."""
    return rng.standard_normal((rows, cols)) * (rng.random((rows, cols)) < per_row / cols)


def family(name, seed, size):
    """(c, blocks, A, b): minimize cᵀx subject to A x + b in the blocks' cones, in row order.
    blocks: (kind, rows) with kind F, L+, L=, Q or QR as in CBF."""
    r = np.random.default_rng(seed)
    if name == "sum_of_norms":
        K, nx, meq = size, size // 2, max(1, size // 10)
        A = sp.lil_matrix((3 * K + 2 * nx + meq, nx + K))
        b, row = [], 0
        for i in range(K):
            F, g = sparse_random(r, 2, nx, 5.0), r.standard_normal(2)
            A[row, nx + i] = 1
            A[row + 1:row + 3, :nx] = -F
            b += [0, g[0], g[1]]
            row += 3
        for sign in (1, -1):  # 1 ± x ≥ 0
            for j in range(nx):
                A[row, j] = sign
                b.append(1)
                row += 1
        C, x0 = sparse_random(r, meq, nx, 10.0), r.uniform(-0.5, 0.5, nx)
        A[row:row + meq, :nx] = C
        b += list(-C @ x0)
        return np.r_[np.zeros(nx), np.ones(K)], [("Q", 3)] * K + [("L+", 2 * nx), ("L=", meq)], A.tocsr(), np.array(b)
    if name in ("robust_lp", "robust_lp_box"):
        nx, K, d = size, size // 2, 4
        A = sp.lil_matrix((K * (d + 1) + nx, nx))
        b, row, x0 = [], 0, r.uniform(0, 1, nx)
        for i in range(K):
            a, E = sparse_random(r, 1, nx, 8.0)[0], sparse_random(r, d, nx, 4.0)
            bi = a @ x0 + 0.5 + 0.1 * np.linalg.norm(E @ x0)  # x0 strictly feasible
            A[row, :] = -a / 0.1
            b.append(bi / 0.1)
            A[row + 1:row + 1 + d, :] = E
            b += [0] * d
            row += d + 1
        for j in range(nx):
            A[row, j] = 1
            b.append(0)
            row += 1
        blocks = [("Q", d + 1)] * K + [("L+", nx)]
        A = A.tocsr()
        if name == "robust_lp_box":
            A = sp.vstack([A, -sp.identity(nx)]).tocsr()
            b += [2.0] * nx
            blocks.append(("L+", nx))
        return r.standard_normal(nx) + 0.2, blocks, A, np.array(b)
    if name in ("portfolio", "portfolio_infeasible"):
        nx, f = size, max(2, size // 5)
        G, mu = r.standard_normal((f, nx)) / np.sqrt(nx), r.uniform(0, 0.2, nx)
        A = sp.vstack([sp.csr_matrix(np.ones((1, nx))), sp.csr_matrix((1, nx)), sp.csr_matrix(-G), sp.identity(nx)])
        b = np.r_[-1, 0.05 if name == "portfolio" else -0.01, np.zeros(f), np.zeros(nx)]
        return -mu, [("L=", 1), ("Q", f + 1), ("L+", nx)], A.tocsr(), b
    if name == "lasso_socp":
        nx, rows = size, 2 * size
        F, g = r.standard_normal((rows, nx)) / np.sqrt(nx), r.standard_normal(rows)
        I, Z = sp.identity(nx), sp.csr_matrix
        A = sp.vstack([sp.hstack([Z(([1.0], ([0], [0])), shape=(1, 1)), Z((1, 2 * nx))]),
                       sp.hstack([Z((rows, 1)), Z(-F), Z((rows, nx))]),
                       sp.hstack([Z((nx, 1)), -I, I]), sp.hstack([Z((nx, 1)), I, I])]).tocsr()
        return np.r_[1, np.zeros(nx), 0.1 * np.ones(nx)], [("Q", rows + 1), ("L+", 2 * nx)], A, \
            np.r_[0, g, np.zeros(2 * nx)]
    if name == "rotated_ls":
        nx, K = size, 2 * size
        F, g = sparse_random(r, K, nx, 6.0), r.standard_normal(K)
        A = sp.lil_matrix((3 * K + 1, nx + K))
        b = []
        for i in range(K):  # (t_i, ½, f_iᵀx − g_i)
            A[3 * i, nx + i] = 1
            A[3 * i + 2, :nx] = F[i]
            b += [0, 0.5, -g[i]]
        A[3 * K, :nx] = 1
        b.append(-1)
        return np.r_[0.1 * r.standard_normal(nx), np.ones(K)], [("QR", 3)] * K + [("L=", 1)], A.tocsr(), np.array(b)
    raise ValueError(name)


def write_cbf(path, c, blocks, A, b):
    A = sp.coo_matrix(A)
    m, n = A.shape
    with open(path, "w") as f:
        f.write(f"VER\n3\n\nOBJSENSE\nMIN\n\nVAR\n{n} 1\nF {n}\n\nCON\n{m} {len(blocks)}\n")
        f.writelines(f"{kind} {rows}\n" for kind, rows in blocks)
        nz = [(j, v) for j, v in enumerate(c) if v != 0]
        f.write(f"\nOBJACOORD\n{len(nz)}\n")
        f.writelines(f"{j} {v:.17g}\n" for j, v in nz)
        f.write(f"\nACOORD\n{A.nnz}\n")
        f.writelines(f"{i} {j} {v:.17g}\n" for i, j, v in zip(A.row, A.col, A.data))
        nz = [(i, v) for i, v in enumerate(b) if v != 0]
        f.write(f"\nBCOORD\n{len(nz)}\n")
        f.writelines(f"{i} {v:.17g}\n" for i, v in nz)


def clarabel_solve(c, blocks, A, b):
    """Clarabel on the same data: s = b − A'x in its cones with A' = −A; a rotated block
    (t, s, w), 2ts ≥ ‖w‖², becomes ((t + s)/√2, (t − s)/√2, w) in Q."""
    import clarabel
    A, b = sp.lil_matrix(A), np.array(b, float)
    cones, row = [], 0
    for kind, rows in blocks:
        if kind == "QR":
            r0, r1 = A[row].toarray().ravel(), A[row + 1].toarray().ravel()
            A[row], A[row + 1] = (r0 + r1) / np.sqrt(2), (r0 - r1) / np.sqrt(2)
            b[row], b[row + 1] = (b[row] + b[row + 1]) / np.sqrt(2), (b[row] - b[row + 1]) / np.sqrt(2)
        cones.append({"Q": clarabel.SecondOrderConeT, "QR": clarabel.SecondOrderConeT,
                      "L+": clarabel.NonnegativeConeT, "L=": clarabel.ZeroConeT}[kind](rows))
        row += rows
    n = A.shape[1]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    solution = clarabel.DefaultSolver(sp.csc_matrix((n, n)), np.asarray(c, float), -sp.csc_matrix(A), b, cones,
                                      settings).solve()
    return str(solution.status), solution.obj_val


EXPECTED = {"PrimalInfeasible": "primal_infeasible", "DualInfeasible": "dual_infeasible"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("families", nargs="*", default=FAMILIES)
    parser.add_argument("--sizes", default="40,150,400")
    parser.add_argument("--seeds", default="1,2")
    args = parser.parse_args()
    print(f"{'problem':30} {'n':>5} {'m':>5} {'Clarabel':16} {'objective':>14} | {'bpqp':17} {'objective':>14} "
          f"{'iter':>5} {'ipm':>4} {'time':>6}  ok")
    correct = total = 0
    with tempfile.TemporaryDirectory() as folder:
        for name in args.families:
            for size in map(int, args.sizes.split(",")):
                for seed in map(int, args.seeds.split(",")):
                    c, blocks, A, b = family(name, seed, size)
                    path = os.path.join(folder, f"{name}-{size}-{seed}.cbf")
                    write_cbf(path, c, blocks, A, b)
                    status, reference = clarabel_solve(c, blocks, A, b)
                    start = time.time()
                    run = subprocess.run([args.binary, "solve", path], capture_output=True, text=True, timeout=1800)
                    seconds = time.time() - start
                    label = f"{name}-{size}-{seed}"
                    total += 1
                    if run.returncode != 0:
                        print(f"{label:30} error: {run.stderr.strip()[:200]}")
                        continue
                    p = json.loads(run.stdout)["problems"][0]
                    objective = float(p["objective"])  # "inf" / "-inf" for a certificate
                    if status == "Solved":
                        ok = p["status"] == "solved" and abs(objective - reference) <= 1e-5 * max(1, abs(reference))
                    else:
                        ok = p["status"] == EXPECTED.get(status)
                    correct += ok
                    print(f"{label:30} {A.shape[1]:5d} {A.shape[0]:5d} {status:16} {reference:14.8g} | {p['status']:17} "
                          f"{objective:14.8g} {p['iterations']:5d} {p.get('interior_point_iterations', 0):4d} "
                          f"{seconds:6.2f}  {'yes' if ok else 'NO'}", flush=True)
    print(f"correct: {correct} of {total}")


if __name__ == "__main__":
    main()
