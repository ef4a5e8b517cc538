"""The torch layer's cost over the solver, beside qpth's and cvxpylayers' layer calls on the
same problems: batch 1024 of 100×20 QPs (double, CPU), forward + backward, one run.

    .venv-torch/bin/python benchmarks/layer/layer_overhead.py [--batch 1024] [--peer-batch 64]

Rows:
  bpqp ops        torch.ops.bpqp.qp_solve + qp_solve_backward called directly, no autograd:
                  the solver and the BPQP backward plus the tensors' conversion
  bpqp layer      bpqp.qp_layer + loss.backward(): what a training step pays
  qpth            QPFunction (PDIPM batched) on G = [A; −A], h = [u; −l]
  cvxpylayers     CvxpyLayer (SCS) on the same QP; it solves problem by problem, so it is
                  timed on --peer-batch problems and scaled to the batch (said in the row)
Each row: seconds for the batch, per problem, the ratio to bpqp ops, and max |x − x_bpqp|.
"""
import argparse
import time

import torch

import bpqp


def random_qps(batch, n, m, seed=0):
    """Strictly convex QPs with a box on A x around A x₀ (x₀ random): some rows bind."""
    g = torch.Generator().manual_seed(seed)
    M = torch.randn(batch, n, n, generator=g, dtype=torch.float64)
    P = M @ M.mT / n + 0.1 * torch.eye(n, dtype=torch.float64)
    q = torch.randn(batch, n, generator=g, dtype=torch.float64)
    A = torch.randn(batch, m, n, generator=g, dtype=torch.float64)
    center = (A @ torch.randn(batch, n, 1, generator=g, dtype=torch.float64)).squeeze(-1)
    width = torch.rand(batch, m, generator=g, dtype=torch.float64)
    return P, q, A, center - width, center + width


def best_of(repeats, fn):
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def bpqp_ops(P, q, A, l, u, eps):
    x, y, status = torch.ops.bpqp.qp_solve(P, q, A, l, u, eps_abs=eps, eps_rel=eps, on_failure="ignore")
    torch.ops.bpqp.qp_solve_backward(torch.ones_like(x), None, x, y, status, P, q, A, l, u, [True] * 5,
                                     active_tolerance=eps)
    return x


def bpqp_layer(P, q, A, l, u, eps):
    data = [t.detach().requires_grad_() for t in (P, q, A, l, u)]
    x = bpqp.qp_layer(*data, eps_abs=eps, eps_rel=eps, on_failure="ignore")
    x.sum().backward()
    return x.detach()


def qpth_layer(P, q, A, l, u, eps):
    from qpth.qp import QPFunction, QPSolvers
    data = [t.detach().requires_grad_() for t in (P, q, A, l, u)]
    G = torch.cat([data[2], -data[2]], 1)
    h = torch.cat([data[4], -data[3]], 1)
    empty = torch.empty(0, dtype=torch.float64)
    x = QPFunction(verbose=-1, eps=eps, maxIter=40, solver=QPSolvers.PDIPM_BATCHED)(data[0], data[1], G, h,
                                                                                 empty, empty)
    x.sum().backward()
    return x.detach()


def cvxpylayers_layer(P, q, A, l, u, eps):
    import cvxpy as cp
    from cvxpylayers.torch import CvxpyLayer
    n, m = q.shape[-1], l.shape[-1]
    x = cp.Variable(n)
    L, qp, Ap, lp, up = cp.Parameter((n, n)), cp.Parameter(n), cp.Parameter((m, n)), cp.Parameter(m), cp.Parameter(m)
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(L.T @ x) + qp @ x), [lp <= Ap @ x, Ap @ x <= up])
    layer = CvxpyLayer(problem, parameters=[L, qp, Ap, lp, up], variables=[x])
    data = [torch.linalg.cholesky(P).detach().requires_grad_()] + [t.detach().requires_grad_() for t in (q, A, l, u)]
    (sol,) = layer(*data, solver_args={"eps": eps, "max_iters": 10000})
    sol.sum().backward()
    return sol.detach()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--m", type=int, default=20)
    ap.add_argument("--peer-batch", type=int, default=64, help="problems cvxpylayers is timed on")
    ap.add_argument("--eps", type=float, default=1e-6)
    args = ap.parse_args()
    data = random_qps(args.batch, args.n, args.m)
    print(f"batch {args.batch} of {args.n}×{args.m} QPs, double, CPU ({torch.get_num_threads()} threads), "
          f"forward + backward, eps {args.eps:g}; torch {torch.__version__}")
    t_ops, x_ref = best_of(3, lambda: bpqp_ops(*data, args.eps))
    rows = [("bpqp ops (no autograd)", t_ops, x_ref, args.batch)]
    t_layer, x_layer = best_of(3, lambda: bpqp_layer(*data, args.eps))
    rows.append(("bpqp layer", t_layer, x_layer, args.batch))
    try:
        t, x = best_of(1, lambda: qpth_layer(*data, args.eps))
        rows.append(("qpth", t, x, args.batch))
    except ImportError as e:
        print(f"qpth: not installed ({e})")
    try:
        k = min(args.peer_batch, args.batch)
        t, x = best_of(1, lambda: cvxpylayers_layer(*[d[:k] for d in data], args.eps))
        rows.append((f"cvxpylayers (timed on {k}, scaled)", t * args.batch / k, x, k))
    except ImportError as e:
        print(f"cvxpylayers: not installed ({e})")
    print(f"{'method':36s} {'batch s':>9s} {'per problem':>12s} {'× bpqp ops':>11s} {'max |x − x_bpqp|':>17s}")
    for name, seconds, x, k in rows:
        error = (x - x_ref[:k]).abs().max().item()
        print(f"{name:36s} {seconds:9.3f} {seconds / args.batch * 1e3:9.3f} ms {seconds / t_ops:11.2f} {error:17.2e}")


if __name__ == "__main__":
    main()
