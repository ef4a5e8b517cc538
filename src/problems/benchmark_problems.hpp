// The problem families of the BPQP paper's and OSQP's benchmark suites (OSQP
// paper, Stellato et al. 2020, §6 "Benchmark problems"), as seeded, dense
// DenseQp instances for benchmarks and tests. Like problem_generators.hpp, the
// same (family, n, m, seed) gives the same problem, bit for bit, everywhere.
//
//   using namespace bpqp::generators;
//   for (ProblemFamily f : all_families()) solve(make_benchmark_problem(f, 10, 5, /*seed=*/1));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <bpqp/dense_qp.hpp>

namespace bpqp::generators {

// Every family is feasible and bounded. Each has a unique solution x (with
// probability one over the draws) unless its entry below says otherwise.
//
// Paper families: n, m are the BPQP paper's sizes (10×5, 50×10, 100×20,
// 500×100); the problem has exactly n variables.
//
//   random_qp    make_random_feasible_qp(n, m, seed), the OptNet/BPQP random QP
//                (see problem_generators.hpp). Rows: m.
//   equality_qp  minimize ½xᵀPx + qᵀx  s.t.  A x = b   (OSQP's "Eq QP")
//                P, q, A and b are random_qp's P, q, A and u = A x0 + s for the same
//                (n, m, seed): strictly convex, and A (m×n Gaussian) has full row
//                rank with probability one, so A x = b is feasible.
//                Rows: m, all equalities (l = u). Needs 0 <= m < n.
//   random_lp    minimize cᵀx  s.t.  A x = A x0,  0 <= x <= 1     (P = 0)
//                A_ij ~ N(0,1) (m×n), x0_j ~ U[0.1, 0.9) strictly inside the box,
//                c ~ N(0,I). The box bounds the LP, x0 makes it feasible, and
//                for random c the solution is a unique, non-degenerate vertex.
//                Rows: m + n — the m equalities, then the identity rows e_jᵀ.
//                Needs 0 <= m < n.
//   mixed_lp     minimize cᵀx  s.t.  A_E x = A_E x0,  A_I x <= A_I x0 + s,  bounds on x   (P = 0)
//                An LP in the form solvers meet: ⌈m/2⌉ equality rows A_E and ⌊m/2⌋
//                inequality rows A_I (Gaussian, each row then scaled by 10^U[−1.5, 1.5):
//                three decades of row norms), s ~ U[0, 1); 70% of the variables boxed,
//                0 <= x_j <= w_j with w_j ~ U[0.5, 2), the rest only x_j >= 0 with
//                c_j ~ |N(0,1)| + 0.1 > 0, which keeps the LP bounded; c_j ~ N(0,1) on the
//                boxed ones. x0_j = U[0.1, 0.9)·w_j (or U[0.1, 0.9) when one-sided) is a
//                strictly feasible point.
//                Rows: m + n — A_E, A_I, then the identity rows e_jᵀ (u_j = +inf on the
//                one-sided ones). Needs 0 <= m < n.
//
// OSQP-suite families: n is the family's own size parameter and m is ignored
// (it must still be >= 0). OSQP generates sparse problems with 100 data points
// per feature (and 100 assets per factor); a dense problem cannot afford that,
// so the data-point count here is d = 2n (always > n, which keeps the
// regression problems' solutions unique) and the factor count is k = ⌈n/10⌉.
// Data are drawn like OSQP's: entries of its sparse matrices are N(0,1) with
// the same probability of being nonzero (the density), stored densely.
//
//   portfolio    n assets, k = ⌈n/10⌉ factors; variables (x, y), x ∈ Rⁿ, y ∈ Rᵏ:
//                minimize xᵀDx + yᵀy − μᵀx/γ  s.t.  1ᵀx = 1,  Fᵀx − y = 0,  0 <= x <= 1
//                F (n×k, density 0.5), D = diag(√k·U(0,1]), μ ~ N(0,I), γ = 1.
//                Variables: n + k. Rows: 1 + k + n (budget, factor rows, box rows).
//   control      MPC with nx = n states, nu = max(1, ⌊n/2⌋) inputs, horizon T = 10;
//                variables (x_0, …, x_T, u_0, …, u_{T−1}):
//                minimize Σ_{t<T} (x_tᵀQx_t + u_tᵀRu_t) + x_TᵀQ_T x_T
//                s.t. x_0 = x̄0,  x_{t+1} = A x_t + B u_t,  xmin <= x_t <= xmax,  umin <= u_t <= umax
//                A = I + 0.1·G (G_ij ~ N(0,1)), scaled down when needed so that
//                the box is invariant under u = 0 (which makes every instance
//                feasible); B_ij ~ N(0,1); Q = diag(U[0,1)·Bernoulli(0.7)), R = 0.1·I;
//                Q_T solves the discrete algebraic Riccati equation (the LQR
//                cost-to-go); xmax = −xmin = 1 + U[0,1), umax = −umin = U[0,1);
//                x̄0 uniform in the half-size box.
//                Variables: (T+1)·nx + T·nu = 11n + 10·nu.
//                Rows: (T+1)·nx dynamics equalities, then (T+1)·nx state-bound and
//                T·nu input-bound identity rows: 22n + 10·nu.
//   lasso        n features, d = 2n data points; variables (x, y, t), x, t ∈ Rⁿ, y ∈ Rᵈ:
//                minimize yᵀy + λ·1ᵀt  s.t.  A_d x − y = b,  −t <= x <= t
//                A_d (d×n, density 0.5), b = A_d x_true + N(0,I) with x_true sparse
//                (half its entries zero, the rest N(0, 1/n)), λ = ‖A_dᵀb‖∞/5.
//                Variables: 4n. Rows: d + 2n = 4n (data equalities; x − t <= 0; x + t >= 0).
//   huber        n features, d = 2n data points; variables (x, z, r, s), x ∈ Rⁿ, z, r, s ∈ Rᵈ:
//                minimize ½zᵀz + 1ᵀ(r + s)  s.t.  A_d x − z − r + s = b,  r >= 0,  s >= 0
//                i.e. Huber fitting (threshold 1) of b by A_d x. A_d (d×n, density 0.5),
//                b = A_d x_true + noise, x_true ~ N(0, I/n), noise 0.5·N(0,1) with
//                probability 0.95, else an outlier 10·U[0,1).
//                Variables: n + 3d = 7n. Rows: d + 2d = 6n (data equalities; r, s bound rows).
//                x is unique when the rows fitted inside the quadratic zone span Rⁿ,
//                which random data with 95% inliers and d = 2n give in practice.
//   svm          n features, d = 2n data points (n per class); variables (x, t), t ∈ Rᵈ:
//                minimize ½xᵀx + (γ/2)·1ᵀt  s.t.  t >= diag(b)A_s x + 1,  t >= 0   (γ = 1)
//                b = (+1 ×n, −1 ×n); A_s rows a/√n ± 1{a≠0}/n with a (density 0.15),
//                + for the first class, − for the second.
//                Variables: n + d = 3n. Rows: 2d = 4n (diag(b)A_s x − t <= −1; t >= 0).
//
// SOCP family (cone blocks: include/bpqp/cones.hpp), at the paper's sizes:
//
//   random_socp  the BPQP paper's SOCP, minimize qᵀz s.t. ‖z‖₂ ≤ c, in its generalisation
//                a_iᵀz + ‖z‖₂ ≤ b_i (i < m), written with one auxiliary t:
//                minimize qᵀz  s.t.  (t, z) ∈ Q^(n+1),  a_iᵀz + t ≤ b_i
//                q ~ N(0, I); a_i ~ N(0, I/(4n)) shrunk to ‖a_i‖ ≤ 0.9 (so that z is bounded:
//                ‖z‖(1 − ‖a_i‖) ≤ b_i), b_i = 1 + U[0, 1) (z = 0 is strictly feasible). P = 0.
//                At the optimum the block is on its boundary and (generically) one row is
//                active, which makes t = ‖z‖ = b_i − a_iᵀz unique.
//                Variables: n + 1. Rows: the block's n + 1 (t, then z; offsets 0), then the m
//                rows (l = −inf). Needs m >= 1.
enum class ProblemFamily { random_qp, equality_qp, random_lp, mixed_lp, portfolio, control, lasso, huber, svm, random_socp };

// "random_qp", "equality_qp", "random_lp", "mixed_lp", "portfolio", "control", "lasso", "huber", "svm",
// "random_socp".
const char* family_name(ProblemFamily family);

// The inverse of family_name. Throws bpqp::InvalidArgument naming the valid names.
ProblemFamily parse_family(const std::string& name);

// Every family, in declaration order.
std::vector<ProblemFamily> all_families();

// Problem number `seed` of a family, with the sizes documented above. Throws
// bpqp::InvalidArgument naming the argument when n < 1, m < 0, or (equality_qp,
// random_lp, mixed_lp) m >= n.
DenseQp make_benchmark_problem(ProblemFamily family, int n, int m, std::uint64_t seed);

}  // namespace bpqp::generators
