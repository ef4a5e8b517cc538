// The batch phase of a batch that shares P and A (DESIGN.md §2), as the pieces
// both backends run: the CPU with Eigen products and a host loop, the CUDA backend
// with cuBLAS products and a CUDA-graph loop whose control kernels call these same
// functions. A backend computes the matrix products (Āᵀ(ρ∘z − y), K⁻¹·rhs, Āx̃ per
// iteration; Āx, P̄x, Āᵀy per check) for all columns at once; the rest is here:
//   - representative_q / scale_shared_matrices: the batch's one scaling, from P, A and q_rep;
//   - load_batch_column: a problem's vectors in the batch's shared scaling, its start;
//   - batch_row_class / batch_row_rho: the one ρ vector the shared factorization uses;
//   - invert_reduced_matrix: K⁻¹ = (P̄ + σI + Āᵀdiag(ρ)Ā)⁻¹, formed in double;
//   - relaxed_update (admm_solve.hpp), check_column and column_infeasible: one column's
//     step and tests;
//   - BatchPhaseState and after_check: when the phase stops, and the batch's ρ.
// Each problem is then finished by finish_after_batch_phase (batch_phase_finish.hpp).
#pragma once

#include "kernels/serial_group.hpp"
#include "kernels/batch_phase_finish.hpp"

namespace bpqp::kernels {

// Checks without a newly converged problem after which the problems still running
// leave the batch phase for their own loops: infeasible or slow problems must not
// hold the batch.
constexpr int batch_phase_stall_checks = 8;

// The cost scaling c depends on q, which each problem has its own of: the batch's q
// enters the shared scaling as q_rep, q_rep_j = max_b |q_b,j| over finite entries, so that
// ‖D q_rep‖∞ is the largest ‖D q_b‖∞, as each problem's own scaling would see it.
// One entry of it widened by problem b's q_b,j:
template <class T>
BPQP_HD T widen_representative_q(T q_rep_j, T q_bj) {
  const T v = abs_of(q_bj);
  return is_finite(v) ? max_of(q_rep_j, v) : q_rep_j;
}

// q_rep of `count` problems whose q are `stride` apart, on one thread (problem by problem,
// reading each q contiguously). A GPU takes the entries in parallel instead.
template <class T>
BPQP_HD void representative_q(int n, const T* q, std::ptrdiff_t stride, int count, T* q_rep) {
  for (int j = 0; j < n; ++j) q_rep[j] = T(0);
  for (int b = 0; b < count; ++b)
    for (int j = 0; j < n; ++j) q_rep[j] = widen_representative_q(q_rep[j], q[b * stride + j]);
}

// Checks the shared P and A (each problem's q, l, u are checked when it is finished) and
// Ruiz-scales them into w, with q_rep for q and free bounds (written to free_l, free_u:
// the shared data has no bounds of its own). False (uniform) when the shared data is
// invalid: the per-problem path then solves, and reports, every problem.
template <class Group, class T>
BPQP_HD bool scale_shared_matrices(const Group& g, int n, int m, const T* P, const T* q_rep, const T* A, T* free_l,
                               T* free_u, const AdmmParams<T>& prm, AdmmWorkspace<T>& w) {
  fill(g, free_l, m, -infinity<T>());
  fill(g, free_u, m, infinity<T>());
  const ProblemView<T> view{n, m, P, q_rep, A, free_l, free_u, ConeLayout()};  // (a batch with cones never gets here)
  if (validate_problem(g, view, prm, w.factor, w.factor_scratch) != InputIssue::none) return false;
  ruiz_equilibrate(g, view, prm.scaling_iterations, w);
  return true;
}

// Problem column k's vectors in the batch's shared scaling — q̄ = c·D q, l̄ = E l,
// ū = E u — and its starting point: the warm start (x0, y0; null: none) mapped into the
// scaled space when usable, zero otherwise, with z = clamp(Āx, l̄, ū).
template <class Group, class T>
BPQP_HD void load_batch_column(const Group& g, int n, int m, const BatchPhaseData<T>& s, const T* q, const T* l,
                               const T* u, const T* x0, const T* y0, T* q_bar, T* l_bar, T* u_bar,
                               const AdmmIterate<T>& it) {
  const bool warm = warm_start_usable(g, n, m, x0, y0);
  scale_own_vectors(g, s, n, m, q, l, u, q_bar, l_bar, u_bar);
  for (int j = g.rank(); j < n; j += g.size()) it.x[j] = warm ? x0[j] * s.D_inv[j] : T(0);
  for (int i = g.rank(); i < m; i += g.size()) it.y[i] = warm ? y0[i] * s.E_inv[i] * s.c : T(0);
  g.sync();
  gemv(g, s.A, m, n, it.x, it.z);
  for (int i = g.rank(); i < m; i += g.size()) it.z[i] = clamp_to(it.z[i], l_bar[i], u_bar[i]);
  g.sync();
}

// A constraint row as the shared factorization sees it: an equality row (ρ·rho_eq_scale)
// or a free row (rho_min) only when it is one in every problem of the batch.
struct RowClass {
  bool equality;
  bool free;
};

// Row i's class over `count` problems whose scaled bounds are the columns of l̄ and ū
// (leading dimension m). Bounds that are NaN are invalid data (the problem's own check
// reports it) and must not set the batch's ρ: they count as neither. Uniform.
template <class Group, class T>
BPQP_HD RowClass batch_row_class(const Group& g, int m, int i, const T* l_bar, const T* u_bar, int count) {
  const T equality_gap = T(1e-4);  // OSQP's RHO_TOL, as set_rho_vector
  T not_equality = T(0), not_free = T(0);
  for (int k = g.rank(); k < count; k += g.size()) {
    const T l = l_bar[static_cast<std::ptrdiff_t>(k) * m + i], u = u_bar[static_cast<std::ptrdiff_t>(k) * m + i];
    if (l != l || u != u) continue;
    if (!(u - l < equality_gap)) not_equality = T(1);
    if (is_finite(l) || is_finite(u)) not_free = T(1);
  }
  const T any_not_equality = g.max(not_equality);
  const T any_not_free = g.max(not_free);
  return RowClass{any_not_equality == T(0), any_not_free == T(0)};
}

// The shared ρ of a row of that class (set_rho_vector's rule).
template <class T>
BPQP_HD T batch_row_rho(RowClass c, T rho, const AdmmParams<T>& prm) {
  return c.free ? prm.rho_min : c.equality ? rho * prm.rho_eq_scale : rho;
}

// K⁻¹ for K = P̄ + σI + Āᵀdiag(ρ)Ā (P̄ n×n, Ā m×n row-major, ρ per row), written to
// K_inv (n×n; K⁻¹ is symmetric, so row- and column-major read alike). K is formed,
// factored and inverted in double whatever T is: with equality rows (ρ·1e3) it is
// ill-conditioned enough that a float inverse stalls the float batch phase.
// Scratch: K (n·n), K_inv_double (n·n), pivots (n). Each member of the group solves
// its own columns of the inverse serially: n independent solves, no sync between them.
// Returns false (uniform) when K is not positive definite or the inverse not finite.
template <class Group, class T>
BPQP_HD bool invert_reduced_matrix(const Group& g, int n, int m, const T* P, const T* A, const T* rho_rows, T sigma,
                                   double* K, double* K_inv_double, double* pivots, T* K_inv) {
  const int entries = n * n;
  for (int e = g.rank(); e < entries; e += g.size()) {
    const int i = e / n, j = e % n;
    if (j > i) continue;  // ldlt_factor reads the lower triangle
    double v = static_cast<double>(P[e]) + (i == j ? static_cast<double>(sigma) : 0.0);
    for (int r = 0; r < m; ++r) {
      const T* row = A + static_cast<std::ptrdiff_t>(r) * n;
      v += static_cast<double>(row[i]) * static_cast<double>(rho_rows[r]) * static_cast<double>(row[j]);
    }
    K[e] = v;
  }
  g.sync();
  if (!ldlt_factor(g, K, n, n, n, pivots)) return false;
  const SerialGroup alone;
  for (int j = g.rank(); j < n; j += g.size()) {
    double* column = K_inv_double + static_cast<std::ptrdiff_t>(j) * n;
    for (int i = 0; i < n; ++i) column[i] = i == j ? 1.0 : 0.0;
    ldlt_solve(alone, K, n, n, column);
  }
  g.sync();
  T non_finite = T(0);
  for (int e = g.rank(); e < entries; e += g.size()) {
    K_inv[e] = static_cast<T>(K_inv_double[e]);
    if (!is_finite(K_inv[e])) non_finite = T(1);
  }
  return g.max(non_finite) == T(0);
}

// One column's termination test at a check, from the products of its point.
template <class T>
struct ColumnCheck {
  bool leaves;       // the problem leaves the batch phase now
  bool converged;    // … because it passed the termination test
  bool has_ratio;    // it stays, and its own ρ estimate is usable:
  T log_rho_ratio;   // log(estimate / ρ), for the batch's geometric mean
};

// Overwrites Px (dual residual) and scratch_m, as residuals_from_products. Uniform.
template <class Group, class T>
BPQP_HD ColumnCheck<T> check_column(const Group& g, int n, int m, const ScalingView<T>& s, T rho,
                                    const AdmmParams<T>& prm, const T* q_bar, const T* z, const T* Ax, T* Px,
                                    const T* Aty, T* scratch_m) {
  const Residuals<T> r = residuals_from_products(g, n, m, s, q_bar, z, Ax, Px, Aty, scratch_m);
  ColumnCheck<T> c{false, false, false, T(0)};
  if (!is_finite(r.prim) || !is_finite(r.dual)) {
    c.leaves = true;  // bad data (its own check reports it) or a diverging column: it finishes on its own
  } else if (r.prim <= prm.eps_abs + prm.eps_rel * r.prim_scale && r.dual <= prm.eps_abs + prm.eps_rel * r.dual_scale) {
    c.leaves = true;
    c.converged = true;
  } else {
    const T ratio = estimate_rho(rho, r, prm) / rho;
    if (is_finite(ratio) && ratio > T(0)) {
      c.has_ratio = true;
      c.log_rho_ratio = natural_log(ratio);
    }
  }
  return c;
}

// A running column's infeasibility tests — admm_run's, on the column's iterate and the one
// before it (the round's last iteration) — taken at every check as the per-problem loop
// takes them. An infeasible problem must leave the phase at the check where its certificate
// appears: held there, the batch's ρ follows its estimate up and y grows by δy each
// iteration, and in float y − y_prev soon loses δy to cancellation, so the finish could
// no longer certify it. Scratch: two n, one m. Uniform.
template <class Group, class T>
BPQP_HD bool column_infeasible(const Group& g, int n, int m, const BatchPhaseData<T>& s, const AdmmParams<T>& prm,
                               const T* q_bar, const T* l_bar, const T* u_bar, const T* x, const T* x_prev,
                               const T* y, const T* y_prev, T* scratch_n, T* scratch_n2, T* scratch_m) {
  const InfeasibilityData<T> d{s.P, s.A, q_bar, l_bar, u_bar, s.D, s.E, s.D_inv, s.E_inv, s.c, ConeLayout()};
  return primal_infeasible(g, n, m, d, y, y_prev, prm.eps_prim_inf, scratch_m, scratch_n) ||
         dual_infeasible(g, n, m, d, x, x_prev, prm.eps_dual_inf, scratch_n, scratch_n2, scratch_m);
}

// What one check found over the batch.
template <class T>
struct CheckTally {
  int left;           // columns that left at this check
  int remaining;      // columns still running after it
  T log_ratio_sum;    // Σ log(estimate / ρ) over the columns with a usable estimate
  int ratios;         // how many
};

// The batch phase's control: its ρ, its iterations (every running problem's), and
// whether it goes on. The phase runs whole rounds of check_every iterations followed
// by a check, and never past `cap` iterations (the per-problem loop's max_iter, or
// interior_point_after, interior_point_after_lp for an LP, when the interior-point rescue
// is on: the finish must still be able to hand over).
template <class T>
struct BatchPhaseState {
  T rho;
  int iterations;
  int cap;
  int stalled_checks;  // consecutive checks at which no problem left
  bool running;        // another round follows
  bool refactor;       // ρ changed: K⁻¹ must be formed again before that round
  int polish_at;       // the polish hand-over (start_batch_phase's; 0: none)
};

// The most iterations the phase may run (before rounding down to whole rounds): max_iter,
// or the interior point's hand-over when the rescue is on and comes first.
template <class T>
BPQP_HD int batch_phase_limit(const AdmmParams<T>& prm, bool lp) {
  const int handover = interior_point_handover(prm, lp);
  return prm.interior_point_max_iter > 0 && handover < prm.max_iter ? handover : prm.max_iter;
}

// Whether a round of check_every iterations fits under the limit, for a QP or an LP (the
// host does not know which the shared P makes). When it fits for neither, the phase would
// run no round: the batch takes the per-problem pass instead of setting up the phase for
// nothing (on the GPU, capturing a round of check_every iterations into its graph).
template <class T>
BPQP_HD bool batch_phase_round_fits(const AdmmParams<T>& prm) {
  const int qp = batch_phase_limit(prm, false), lp = batch_phase_limit(prm, true);
  return prm.check_every > 0 && prm.check_every <= (qp > lp ? qp : lp);
}

// factored: K⁻¹ for prm.rho was formed; problems: how many start the phase; lp: the shared
// P is zero, so the hand-over is interior_point_after_lp (0: no batch phase at all, every
// problem starts in the interior point, as on its own); polish_at: the phase ends at the
// first check at or after it (batch_phase_polish_handover; 0: no such end).
template <class T>
BPQP_HD BatchPhaseState<T> start_batch_phase(const AdmmParams<T>& prm, bool factored, int problems, bool lp,
                                             int polish_at = 0) {
  BatchPhaseState<T> s;
  s.rho = prm.rho;
  s.iterations = 0;
  const int limit = batch_phase_limit(prm, lp);
  s.cap = prm.check_every > 0 ? limit / prm.check_every * prm.check_every : 0;
  if (polish_at > 0 && prm.check_every > 0) {
    const int at_check = (polish_at + prm.check_every - 1) / prm.check_every * prm.check_every;
    if (at_check < s.cap) s.cap = at_check;
  }
  s.stalled_checks = 0;
  s.running = factored && problems > 0 && s.cap > 0;
  s.refactor = false;
  s.polish_at = polish_at;
  return s;
}

// The iteration count at the check that ends the current round.
template <class T>
BPQP_HD int iterations_at_check(const BatchPhaseState<T>& s, const AdmmParams<T>& prm) {
  return s.iterations + prm.check_every;
}

// Whether the check that ends the current round decides anything. The round that reaches the
// polish hand-over is the phase's last, and every problem leaving there is tested again at
// once by its finish (finish_after_batch_phase: polish_now), on the same two iterates: the
// check's products and column tests would be computed twice. At random QP 10×5 that check
// (three products, and each column's termination and infeasibility tests) was a twentieth of
// the forward pass.
template <class T>
BPQP_HD bool check_decides(const BatchPhaseState<T>& s, const AdmmParams<T>& prm) {
  return !(s.polish_at > 0 && iterations_at_check(s, prm) >= s.polish_at);
}

// Ends the phase at a round whose check decides nothing (check_decides): every problem still
// running leaves with this round's iterations counted.
template <class T>
BPQP_HD void end_without_check(BatchPhaseState<T>& s, const AdmmParams<T>& prm) {
  s.iterations += prm.check_every;
  s.running = false;
  s.refactor = false;
}

// Ends a round: counts its iterations, decides whether another follows and, at the
// adaptive-ρ interval, moves the batch's ρ to the geometric mean of the running
// problems' own estimates (refactor set when it moved beyond the tolerance).
template <class T>
BPQP_HD void after_check(BatchPhaseState<T>& s, const AdmmParams<T>& prm, const CheckTally<T>& t) {
  s.iterations += prm.check_every;
  s.stalled_checks = t.left > 0 ? 0 : s.stalled_checks + 1;
  s.refactor = false;
  s.running = t.remaining > 0 && s.stalled_checks < batch_phase_stall_checks &&
              s.iterations + prm.check_every <= s.cap;
  if (!s.running || prm.adaptive_rho_interval <= 0 || s.iterations % prm.adaptive_rho_interval != 0 ||
      t.ratios == 0)
    return;
  const T rho_new =
      clamp_to(s.rho * exponential(t.log_ratio_sum / static_cast<T>(t.ratios)), prm.rho_min, prm.rho_max);
  if (rho_new > s.rho * prm.adaptive_rho_tolerance || rho_new < s.rho / prm.adaptive_rho_tolerance) {
    s.rho = rho_new;
    s.refactor = true;
  }
}

}  // namespace bpqp::kernels
