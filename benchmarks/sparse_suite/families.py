"""The OSQP benchmark families (Stellato et al., "OSQP: an operator splitting solver for quadratic
programs", 2020, §6.1) at their own proportions, sparse: 100 data points per feature, 100 assets
per factor, 15 % dense data matrices. (src/problems/benchmark_problems.hpp has the same families
dense, shrunk to what a dense problem can afford.) Each generator takes its size parameter k and a
seed and returns dict(P=upper-triangle csc, q, A=csc, l, u), in OSQP form:
minimize ½xᵀPx + qᵀx subject to l ≤ Ax ≤ u. Written for this benchmark after the paper's
descriptions; the draws are NumPy's, so the problems are not OSQP's instances, only its recipe.

  random_qp  n = k, m = 10k: P = MMᵀ + 0.01·I (M n×n, 15 %), A m×n (15 %), l = −U[0,1), u = U[0,1)
             (x = 0 is strictly feasible).
  eq_qp      n = k, m = ⌊k/2⌋ equalities: P as above, A m×n (15 %), l = u = A·x̂ with x̂ ~ N(0, I)
             (feasible by construction).
  portfolio  k factors, n = 100k assets; variables (x, y): minimize xᵀDx + yᵀy − μᵀx subject to
             1ᵀx = 1, Fᵀx = y, 0 ≤ x ≤ 1; F n×k (50 %), D = diag(U[0,1)·√k), μ ~ N(0, I).
  control    MPC, k states, ⌊k/2⌋ inputs, horizon 10: minimize Σ x_tᵀQx_t + u_tᵀRu_t + x_10ᵀQ_T x_10
             subject to x_0 = x̄, x_{t+1} = A x_t + B u_t, |x_t| ≤ x_max, |u_t| ≤ u_max; A = I + 0.1·G
             (G dense Gaussian), B dense Gaussian, Q = diag(U[0,1) on 70 % of the states), R = 0.1·I,
             Q_T the Riccati cost-to-go. OSQP's recipe leaves feasibility to chance; here A is scaled
             down, when needed, until the box {|x| ≤ x_max} is invariant under u = 0, so every instance
             is feasible (x_max = 1 + U[0,1), u_max = U[0,1), x̄ inside half the box).
  lasso      k features, d = 100k data: minimize yᵀy + λ1ᵀt subject to A_d x − y = b, −t ≤ x ≤ t;
             A_d d×k (15 %), b = A_d x♮ + N(0, I) with x♮ half zeros, half N(0, 1/k), λ = ‖A_dᵀb‖∞/5.
  huber      k features, d = 100k data: minimize ½zᵀz + 1ᵀ(r + s) subject to A_d x − z − r + s = b,
             r ≥ 0, s ≥ 0 (Huber fitting, threshold 1); b = A_d x♮ + noise, 5 % of it outliers.
  svm        k features, d = 100k data, two classes of d/2: minimize xᵀx + 1ᵀt subject to
             t ≥ diag(b)A_d x + 1, t ≥ 0; class rows drawn around ±1/k (15 %).
"""
import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp


def _sprandn(rng, rows, cols, density):
    return sp.random(rows, cols, density=density, random_state=rng, data_rvs=rng.standard_normal, format="csc")


def _qp(P, q, A, l, u):
    return dict(P=sp.triu(sp.csc_matrix(P), format="csc"), q=np.asarray(q, float), A=sp.csc_matrix(A),
                l=np.asarray(l, float), u=np.asarray(u, float))


def random_qp(k, rng):
    n, m = k, 10 * k
    M = _sprandn(rng, n, n, 0.15)
    P = M @ M.T + 0.01 * sp.eye(n)
    A = _sprandn(rng, m, n, 0.15)
    return _qp(P, rng.standard_normal(n), A, -rng.random(m), rng.random(m))


def eq_qp(k, rng):
    n, m = k, k // 2
    M = _sprandn(rng, n, n, 0.15)
    P = M @ M.T + 0.01 * sp.eye(n)
    A = _sprandn(rng, m, n, 0.15)
    b = A @ rng.standard_normal(n)
    return _qp(P, rng.standard_normal(n), A, b, b)


def portfolio(k, rng):
    n = 100 * k
    F = _sprandn(rng, n, k, 0.5)
    D = sp.diags(rng.random(n) * np.sqrt(k))
    P = 2.0 * sp.block_diag([D, sp.eye(k)])
    q = np.concatenate([-rng.standard_normal(n), np.zeros(k)])
    A = sp.vstack([sp.hstack([sp.csc_matrix(np.ones((1, n))), sp.csc_matrix((1, k))]),
                   sp.hstack([F.T, -sp.eye(k)]),
                   sp.hstack([sp.eye(n), sp.csc_matrix((n, k))])])
    l = np.concatenate([[1.0], np.zeros(k), np.zeros(n)])
    u = np.concatenate([[1.0], np.zeros(k), np.ones(n)])
    return _qp(P, q, A, l, u)


def control(k, rng, horizon=10):
    nx, nu = k, max(1, k // 2)
    Ad = np.eye(nx) + 0.1 * rng.standard_normal((nx, nx))
    Bd = rng.standard_normal((nx, nu))
    x_max = 1.0 + rng.random(nx)
    u_max = rng.random(nu)
    # |A x|_i <= Σ_j |A_ij| x_max_j for every x in the box: scaling A until that is <= x_max_i
    # keeps the box invariant under u = 0, so u = 0 is a feasible control from any x̄ in the box.
    reach = np.abs(Ad) @ x_max
    Ad *= min(1.0, float(np.min(x_max / reach)))
    Q = np.diag(rng.random(nx) * (rng.random(nx) < 0.7))
    R = 0.1 * np.eye(nu)
    QT = sla.solve_discrete_are(Ad, Bd, Q, R)
    x_bar = (rng.random(nx) - 0.5) * x_max
    T = horizon
    P = 2.0 * sp.block_diag([sp.kron(sp.eye(T), sp.csc_matrix(Q)), sp.csc_matrix((QT + QT.T) / 2),
                             sp.kron(sp.eye(T), sp.csc_matrix(R))])
    dynamics_x = sp.kron(sp.eye(T + 1), -sp.eye(nx)) + sp.kron(sp.eye(T + 1, k=-1), sp.csc_matrix(Ad))
    dynamics_u = sp.kron(sp.vstack([sp.csc_matrix((1, T)), sp.eye(T)]), sp.csc_matrix(Bd))
    nvar = (T + 1) * nx + T * nu
    A = sp.vstack([sp.hstack([dynamics_x, dynamics_u]), sp.eye(nvar)])
    b = np.zeros((T + 1) * nx)
    b[:nx] = -x_bar
    l = np.concatenate([b, np.tile(-x_max, T + 1), np.tile(-u_max, T)])
    u = np.concatenate([b, np.tile(x_max, T + 1), np.tile(u_max, T)])
    return _qp(P, np.zeros(nvar), A, l, u)


def lasso(k, rng):
    n, d = k, 100 * k
    Ad = _sprandn(rng, d, n, 0.15)
    x_true = (rng.random(n) > 0.5) * rng.standard_normal(n) / np.sqrt(n)
    b = Ad @ x_true + rng.standard_normal(d)
    lam = np.linalg.norm(Ad.T @ b, np.inf) / 5
    In, Id = sp.eye(n), sp.eye(d)
    P = sp.block_diag([sp.csc_matrix((n, n)), 2.0 * Id, sp.csc_matrix((n, n))])
    q = np.concatenate([np.zeros(n + d), lam * np.ones(n)])
    A = sp.vstack([sp.hstack([Ad, -Id, sp.csc_matrix((d, n))]),
                   sp.hstack([In, sp.csc_matrix((n, d)), -In]),
                   sp.hstack([In, sp.csc_matrix((n, d)), In])])
    l = np.concatenate([b, -np.inf * np.ones(n), np.zeros(n)])
    u = np.concatenate([b, np.zeros(n), np.inf * np.ones(n)])
    return _qp(P, q, A, l, u)


def huber(k, rng):
    n, d = k, 100 * k
    Ad = _sprandn(rng, d, n, 0.15)
    x_true = rng.standard_normal(n) / np.sqrt(n)
    inlier = rng.random(d) < 0.95
    b = Ad @ x_true + np.where(inlier, rng.standard_normal(d) / 4, 10 * rng.random(d))
    Id, Z = sp.eye(d), sp.csc_matrix((d, d))
    P = sp.block_diag([sp.csc_matrix((n, n)), Id, Z, Z])
    q = np.concatenate([np.zeros(n + d), np.ones(2 * d)])
    A = sp.vstack([sp.hstack([Ad, -Id, -Id, Id]),
                   sp.hstack([sp.csc_matrix((2 * d, n + d)), sp.eye(2 * d)])])
    l = np.concatenate([b, np.zeros(2 * d)])
    u = np.concatenate([b, np.inf * np.ones(2 * d)])
    return _qp(P, q, A, l, u)


def svm(k, rng):
    n, d = k, 100 * k
    half = d // 2
    upper, lower = _sprandn(rng, half, n, 0.15), _sprandn(rng, d - half, n, 0.15)
    Ad = sp.vstack([upper / np.sqrt(n) + (upper != 0).astype(float) / n,
                    lower / np.sqrt(n) - (lower != 0).astype(float) / n])
    b = np.concatenate([np.ones(half), -np.ones(d - half)])
    Id = sp.eye(d)
    P = sp.block_diag([2.0 * sp.eye(n), sp.csc_matrix((d, d))])
    q = np.concatenate([np.zeros(n), np.ones(d)])
    A = sp.vstack([sp.hstack([sp.diags(b) @ Ad, -Id]), sp.hstack([sp.csc_matrix((d, n)), Id])])
    l = np.concatenate([-np.inf * np.ones(d), np.zeros(d)])
    u = np.concatenate([-np.ones(d), np.inf * np.ones(d)])
    return _qp(P, q, A, l, u)


FAMILIES = dict(random_qp=random_qp, eq_qp=eq_qp, portfolio=portfolio, control=control, lasso=lasso,
                huber=huber, svm=svm)


def nonzeros(qp):
    return qp["P"].nnz + qp["A"].nnz


def at_size(family, nonzeros_target, seed):
    """The family's instance with the smallest size parameter whose nnz(P) + nnz(A) reaches the target."""
    make = FAMILIES[family]
    k = 1
    while True:
        qp = make(k, np.random.default_rng(seed))
        if nonzeros(qp) >= nonzeros_target:
            return k, qp
        k = max(k + 1, int(k * 1.1))
