#!/usr/bin/env python3
"""Writes a small problem export in the format the C++ driver produces, for developing and
testing run_peers.py / report.py without the driver.

    make_test_export.py OUT_DIR [--sizes 10x5,50x10,100x20,500x100] [--batch 1024]
                        [--big-batch 64] [--extra-families] [--seed 0]

One file per case, OUT_DIR/<family>_<n>x<m>.npz, float64 arrays:
  P (B,n,n), q (B,n), A (B,mr,n), l (B,mr), u (B,mr)   OSQP form  min ½xᵀPx + qᵀx, l ≤ Ax ≤ u
  dl_dx (B,n)      upstream gradient, L = Σ_b dl_dx[b]·x[b]
  x_ref (B,n)      accurate solution (OSQP, eps 1e-10, polished)
  dq_ref (B,n)     ∂L/∂q by dense implicit differentiation of the FULL KKT system (OptNet's,
                   complementarity rows included), independent of any active-set logic
  dlu_ref (B,mr)   ∂L/∂l_i + ∂L/∂u_i per row i (shifting both bounds of row i together), from
                   the same full-KKT solve; run_peers.py's cosine is on (dq, dlu) stacked
  ref_ok (B,)      reference trustworthy: solved, and the full KKT matrix is well conditioned
  seed, n, m       scalars

Families:
  random_qp    the BPQP/OptNet papers' random QP: P = MᵀM + 1e-2 I, M ~ N(0,1) n×n, q ~ N(0,1),
               A ~ N(0,1) m×n, l = -inf, u = A x0 + s, x0 ~ N(0,1), s ~ U[0,1)
  (with --extra-families, at the 50x10 size only, B = --big-batch:)
  equality_qp  as random_qp, but the first m/2 rows are equalities (l = u = A x0)
  random_lp    P = 0, rows [A; I] (mr = m + n): A x ≤ A x0 + s, -1 ≤ x ≤ 1, x0 ~ U(-½,½)
Sizes with n ≥ 500 get B = --big-batch (memory: B·n²·8 bytes).
"""
import argparse
import os
import sys

import numpy as np
import scipy.sparse as sp


def accurate_solve(P, q, A, l, u):
    import osqp
    s = osqp.OSQP()
    s.setup(P=sp.csc_matrix(np.triu(P)), q=q, A=sp.csc_matrix(A), l=l, u=u,
            eps_abs=1e-10, eps_rel=1e-10, max_iter=200000, polishing=True,
            verbose=False)
    r = s.solve(raise_error=False)
    ok = r.info.status == "solved"
    return np.array(r.x, dtype=float), np.array(r.y, dtype=float), ok


def full_kkt_grad(P, A, l, u, x, y, g):
    """∂L/∂q and ∂L/∂l + ∂L/∂u for L = gᵀx* by implicit differentiation of the full KKT system.

    Inequalities G x ≤ h: rows with finite u (a_i x ≤ u_i) and finite l (−a_i x ≤ −l_i);
    rows with l == u are equalities E x = b.  λ ≥ 0 from the OSQP dual y (y > 0: upper
    side, y < 0: lower side).  K = [[P, Gᵀ, Eᵀ], [D(λ)G, D(Gx−h), 0], [E, 0, 0]],
    K [dx; dλ; dν] = [−dq; D(λ) dh; db], so with w = K⁻ᵀ[g;0;0]:
    ∂L/∂q = −w_x,  ∂L/∂h = D(λ) w_λ,  ∂L/∂b = w_ν.  Per original row i, ∂L/∂l_i + ∂L/∂u_i =
    ∂L/∂h of its upper row − ∂L/∂h of its lower row (h = −l there) + ∂L/∂b of its equality row.
    Returns (dq, dlu, cond(K))."""
    n, mr = P.shape[0], A.shape[0]
    fin_l = np.isfinite(l) & (np.abs(l) < 1e20)
    fin_u = np.isfinite(u) & (np.abs(u) < 1e20)
    eq = fin_l & fin_u & (l == u)
    up = fin_u & ~eq
    lo = fin_l & ~eq
    G = np.vstack([A[up], -A[lo]])
    h = np.concatenate([u[up], -l[lo]])
    lam = np.concatenate([np.maximum(y[up], 0.0), np.maximum(-y[lo], 0.0)])
    E = A[eq]
    ni, ne = G.shape[0], E.shape[0]
    K = np.zeros((n + ni + ne, n + ni + ne))
    K[:n, :n] = P
    K[:n, n:n + ni] = G.T
    K[:n, n + ni:] = E.T
    K[n:n + ni, :n] = lam[:, None] * G
    K[n:n + ni, n:n + ni] = np.diag(G @ x - h)
    K[n + ni:, :n] = E
    rhs = np.zeros(n + ni + ne)
    rhs[:n] = g
    cond = np.linalg.cond(K)
    try:
        w = np.linalg.solve(K.T, rhs)
    except np.linalg.LinAlgError:
        return np.full(n, np.nan), np.full(mr, np.nan), np.inf
    dh = lam * w[n:n + ni]
    nu_ = int(up.sum())
    dlu = np.zeros(mr)
    dlu[up] += dh[:nu_]
    dlu[lo] -= dh[nu_:]
    dlu[eq] += w[n + ni:]
    return -w[:n], dlu, cond


def make_problem(family, n, m, rng):
    if family in ("random_qp", "equality_qp"):
        M = rng.standard_normal((n, n))
        P = M.T @ M + 1e-2 * np.eye(n)
        q = rng.standard_normal(n)
        A = rng.standard_normal((m, n))
        x0 = rng.standard_normal(n)
        s = rng.random(m)
        l = np.full(m, -np.inf)
        u = A @ x0 + s
        if family == "equality_qp":
            k = max(1, m // 2)
            u[:k] = A[:k] @ x0
            l[:k] = u[:k]
        return P, q, A, l, u
    if family == "random_lp":
        P = np.zeros((n, n))
        q = rng.standard_normal(n)
        Ar = rng.standard_normal((m, n))
        x0 = rng.random(n) - 0.5
        A = np.vstack([Ar, np.eye(n)])
        l = np.concatenate([np.full(m, -np.inf), -np.ones(n)])
        u = np.concatenate([Ar @ x0 + rng.random(m), np.ones(n)])
        return P, q, A, l, u
    raise ValueError(family)


def make_case(family, n, m, B, seed, out_dir):
    rng = np.random.default_rng(seed)
    probs = [make_problem(family, n, m, rng) for _ in range(B)]
    mr = probs[0][2].shape[0]
    P = np.stack([p[0] for p in probs])
    q = np.stack([p[1] for p in probs])
    A = np.stack([p[2] for p in probs])
    l = np.stack([p[3] for p in probs])
    u = np.stack([p[4] for p in probs])
    dl_dx = rng.standard_normal((B, n))
    x_ref = np.zeros((B, n))
    dq_ref = np.zeros((B, n))
    dlu_ref = np.zeros((B, mr))
    ref_ok = np.zeros(B, dtype=bool)
    for b in range(B):
        x, y, ok = accurate_solve(P[b], q[b], A[b], l[b], u[b])
        x_ref[b] = x
        dq, dlu, cond = full_kkt_grad(P[b], A[b], l[b], u[b], x, y, dl_dx[b])
        dq_ref[b] = dq
        dlu_ref[b] = dlu
        ref_ok[b] = (ok and np.isfinite(cond) and cond < 1e12 and np.all(np.isfinite(dq))
                     and np.all(np.isfinite(dlu)))
    path = os.path.join(out_dir, f"{family}_{n}x{m}.npz")
    np.savez(path, P=P, q=q, A=A, l=l, u=u, dl_dx=dl_dx, x_ref=x_ref, dq_ref=dq_ref,
             dlu_ref=dlu_ref, ref_ok=ref_ok, seed=np.array(seed), n=np.array(n), m=np.array(m))
    print(f"{path}: B={B} mr={mr} ref_ok={int(ref_ok.sum())}/{B}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--sizes", default="10x5,50x10,100x20,500x100")
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--big-batch", type=int, default=64)
    ap.add_argument("--extra-families", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for i, sz in enumerate(a.sizes.split(",")):
        n, m = (int(t) for t in sz.split("x"))
        B = a.batch if n < 500 else a.big_batch
        make_case("random_qp", n, m, B, a.seed + 1000 * i, a.out_dir)
    if a.extra_families:
        make_case("equality_qp", 50, 10, a.big_batch, a.seed + 77, a.out_dir)
        make_case("random_lp", 50, 10, a.big_batch, a.seed + 78, a.out_dir)


if __name__ == "__main__":
    main()
