// One problem's whole forward solve — validation, Ruiz scaling, factorization,
// ADMM iterations with adaptive ρ, termination, infeasibility detection and
// polishing — as one function of a thread group (OSQP, Stellato et al. 2020,
// Algorithm 1). The CPU backend runs it with SerialGroup; a GPU block or warp
// tile runs the same code with its own group.
#pragma once

#include "kernels/admm_residuals.hpp"
#include "kernels/bounds.hpp"
#include "kernels/cone_polish.hpp"
#include "kernels/dense_ldlt.hpp"
#include "kernels/interior_point.hpp"
#include "kernels/polish.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/ruiz_scaling.hpp"
#include "kernels/validate_problem.hpp"

namespace bpqp::kernels {

// Per-row ρ (OSQP §5.2): equality rows get ρ·rho_eq_scale so that they are
// enforced quickly, free rows (both bounds infinite) get rho_min.
template <class Group, class T, class Workspace>
BPQP_HD void set_rho_vector(const Group& g, int m, T rho, const AdmmParams<T>& prm, Workspace& w) {
  const T equality_gap = T(1e-4);  // OSQP's RHO_TOL
  for (int i = g.rank(); i < m; i += g.size()) {
    if (!is_finite(w.l[i]) && !is_finite(w.u[i])) w.rho[i] = prm.rho_min;
    else if (w.u[i] - w.l[i] < equality_gap) w.rho[i] = rho * prm.rho_eq_scale;
    else w.rho[i] = rho;
  }
  g.sync();
}

// Forms and factors P̄ + σI + Āᵀdiag(ρ)Ā (n×n, leading dimension n) — OSQP's
// reduced linear system (§3.1, eq. 23).
template <class Group, class T>
BPQP_HD bool factor_reduced_system(const Group& g, int n, int m, T sigma, AdmmWorkspace<T>& w) {
  assemble_reduced_kkt(g, scaled_kkt(n, m, 0, w, sigma), static_cast<const T*>(w.rho), T(0), T(0), w.factor);
  return ldlt_factor(g, w.factor, n, n, n, w.factor_scratch);
}

// The iterate (x, z, y) of one problem, scaled.
template <class T>
struct AdmmIterate {
  T* x;
  T* z;
  T* y;
};

// Steps 4–6 of an ADMM iteration, given x̃ and z̃ = Āx̃: over-relaxation, projection
// onto [l, u] (box rows) and l_k + Q (cone blocks: COSMO's splitting, one ρ per block) and
// the multiplier update; the previous x and y go to x_prev, y_prev.
template <class Group, class T>
BPQP_HD void relaxed_update(const Group& g, int n, int m, T alpha, const T* rho, const T* l, const T* u,
                            const T* x_tilde, const T* z_tilde, const AdmmIterate<T>& it, T* x_prev, T* y_prev,
                            const ConeLayout& cones = ConeLayout()) {
  for (int j = g.rank(); j < n; j += g.size()) {
    x_prev[j] = it.x[j];
    it.x[j] = alpha * x_tilde[j] + (T(1) - alpha) * it.x[j];
  }
  const int box_rows = cones.box_rows(m);
  for (int i = g.rank(); i < box_rows; i += g.size()) {
    const T z_relaxed = alpha * z_tilde[i] + (T(1) - alpha) * it.z[i];
    const T z_new = clamp_to(z_relaxed + it.y[i] / rho[i], l[i], u[i]);
    y_prev[i] = it.y[i];
    it.y[i] += rho[i] * (z_relaxed - z_new);
    it.z[i] = z_new;
  }
  // A block: v = z_relaxed + y/ρ − l, z = l + Π_Q(v), y = ρ(v − Π_Q(v)) (∈ −Q by Moreau).
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    const T block_rho = rho[first];
    for (int i = first; i < first + d; ++i) {
      const T z_relaxed = alpha * z_tilde[i] + (T(1) - alpha) * it.z[i];
      y_prev[i] = it.y[i];
      it.y[i] = z_relaxed + it.y[i] / block_rho - l[i];
      it.z[i] = it.y[i];
    }
    project_onto_cone(it.z + first, d);
    for (int i = first; i < first + d; ++i) {
      it.y[i] = block_rho * (it.y[i] - it.z[i]);
      it.z[i] += l[i];
    }
  }
  g.sync();
}

// z ← Π_C(z): each box row clamped to [l, u], each cone block projected onto l_k + Q.
template <class Group, class T>
BPQP_HD void project_onto_constraints(const Group& g, int m, const ConeLayout& cones, const T* l, const T* u, T* z) {
  const int box_rows = cones.box_rows(m);
  for (int i = g.rank(); i < box_rows; i += g.size()) z[i] = clamp_to(z[i], l[i], u[i]);
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    for (int i = first; i < first + d; ++i) z[i] -= l[i];
    project_onto_cone(z + first, d);
    for (int i = first; i < first + d; ++i) z[i] += l[i];
  }
  g.sync();
}

// One ADMM iteration (Algorithm 1, steps 3–6) on the scaled problem.
template <class Group, class T>
BPQP_HD void admm_iterate(const Group& g, int n, int m, const AdmmParams<T>& prm, AdmmWorkspace<T>& w) {
  // x̃ solves (P̄ + σI + Āᵀdiag(ρ)Ā) x̃ = σx − q̄ + Āᵀ(ρ∘z − y); z̃ = Āx̃.
  for (int i = g.rank(); i < m; i += g.size()) w.work_m[i] = w.rho[i] * w.z[i] - w.y[i];
  g.sync();
  gemv_transposed(g, w.A, m, n, w.work_m, w.work_n);
  for (int j = g.rank(); j < n; j += g.size()) w.x_tilde[j] = prm.sigma * w.x[j] - w.q[j] + w.work_n[j];
  g.sync();
  ldlt_solve(g, w.factor, n, n, w.x_tilde);
  gemv(g, w.A, m, n, w.x_tilde, w.z_tilde);
  relaxed_update(g, n, m, prm.alpha, w.rho, w.l, w.u, w.x_tilde, w.z_tilde, AdmmIterate<T>{w.x, w.z, w.y},
                 w.x_prev, w.y_prev, w.cones);
}

// The iteration of the first in-loop polish: polish_first_attempt, or later where one attempt
// is dear beside an iteration. An attempt factors the reduced KKT of the guessed active set,
// at most n + min(m, n) rows (a vertex's active rows are independent), (n + min(m, n))³/6
// multiply-adds, and when it fails ADMM's matrix again, n³/6; an iteration costs about
// n² + 2nm. Waiting until the iterations have cost half an attempt keeps a failed attempt's
// cost within twice the work done, and the doubling intervals after it bound all attempts
// together. (Attempts from iteration 25 on every problem: random QPs 100×20 finished at 25
// instead of 75–125, but Maros–Mészáros QSCSD6, n = 1350, paid 7.2 → 8.1 s in attempts that
// failed until the interior point took over at 4000.)
// first_polish_iteration_for: the same for an attempt whose KKT has n + active_rows rows.
template <class T>
BPQP_HD BPQP_INLINE int first_polish_iteration_for(int n, int m, int active_rows, const AdmmParams<T>& prm) {
  if (prm.polish_first_attempt <= 0) return 0;
  const double rows = static_cast<double>(n) + active_rows;
  const double attempt = (rows * rows * rows + static_cast<double>(n) * n * n) / 6.0;
  const double iteration = static_cast<double>(n) * n + 2.0 * n * m;
  const double wait = 0.5 * attempt / iteration;
  return wait > prm.polish_first_attempt ? static_cast<int>(wait) : prm.polish_first_attempt;
}

template <class T>
BPQP_HD BPQP_INLINE int first_polish_iteration(int n, int m, const AdmmParams<T>& prm) {
  return first_polish_iteration_for(n, m, m < n ? m : n, prm);
}

// OSQP's ρ estimate (§5.2): balance the normalized primal and dual residuals.
template <class T>
BPQP_HD BPQP_INLINE T estimate_rho(T rho, const Residuals<T>& r, const AdmmParams<T>& prm) {
  const T tiny = division_tolerance<T>();
  const T prim = r.prim_scaled / (r.prim_scale_scaled + tiny);
  const T dual = r.dual_scaled / (r.dual_scale_scaled + tiny);
  return clamp_to(rho * square_root(prim / (dual + tiny)), prm.rho_min, prm.rho_max);
}

// Writes the unscaled solution x = D x̄, y = E ȳ / c, y back in the user's row order (and a
// rotated block's pair back in its own coordinates).
template <class Group, class T, class Workspace>
BPQP_HD void write_unscaled(const Group& g, int n, int m, const Workspace& w, const T* xs, const T* ys, T* x, T* y) {
  const T c_inv = T(1) / w.scalars[0];
  for (int j = g.rank(); j < n; j += g.size()) x[j] = w.D[j] * xs[j];
  for (int r = g.rank(); r < m; r += g.size()) y[w.cones.user_row(r)] = w.E[r] * ys[r] * c_inv;
  g.sync();
  for (int k = g.rank(); k < w.cones.count; k += g.size())
    if (w.cones.rotated(k)) {
      const int first = w.cones.blocks[k].first_row;
      rotate_cone_pair(y[first], y[first + 1]);
    }
  g.sync();
}

// Drops a multiplier that claims a bound its row is not at, where the row is so small that
// the multiplier moves the stationarity residual by no more than a tenth of eps_abs / m: the
// stopping test cannot pin such a multiplier down (a row of norm 1e-19 leaves y_i free up to
// ±eps/1e-19), and ADMM can end with a huge one on a side the row never reaches, which the
// backward would read as an active bound. The dual residual grows by at most 0.1·eps_abs.
// Row i of the user's A: its product with x and its largest magnitude (a dense view's; the
// sparse path overloads it).
template <class T>
BPQP_HD BPQP_INLINE void user_row_product(const ProblemView<T>& p, int i, const T* x, T* ax, T* largest) {
  const T* row = p.A + static_cast<std::ptrdiff_t>(i) * p.n;
  *ax = strided_dot(row, x, 0, p.n, 1);
  *largest = strided_max_abs(row, p.n, 1);
}

// Px on the user's P (dense view; the sparse path overloads it).
template <class Group, class T>
BPQP_HD void user_P_product(const Group& g, const ProblemView<T>& p, const T* x, T* Px) {
  gemv(g, p.P, p.n, p.n, x, Px);
}

template <class Group, class T, class Problem>
BPQP_HD void drop_unsupported_multipliers(const Group& g, const Problem& p, const AdmmParams<T>& prm, const T* x,
                                          T* y) {
  const T negligible = T(0.1) * prm.eps_abs / static_cast<T>(p.m > 0 ? p.m : 1);
  for (int r = g.rank(); r < p.cones.box_rows(p.m); r += g.size()) {  // box rows: a cone's y is a vector
    const int i = p.cones.user_row(r);
    if (!(y[i] > T(0) || y[i] < T(0))) continue;
    T ax, largest;
    user_row_product(p, i, x, &ax, &largest);
    const T bound = y[i] > T(0) ? p.u[i] : p.l[i];
    const T tolerance = prm.eps_abs + prm.eps_rel * abs_of(ax);
    const bool away = is_infinite_bound(bound) || abs_of(bound - ax) > tolerance;
    if (away && abs_of(y[i]) * largest <= negligible) y[i] = T(0);
  }
  g.sync();
}

// ½xᵀPx + qᵀx on the user's data (x unscaled, already written to out.x).
template <class Group, class T, class Problem>
BPQP_HD T objective_value(const Group& g, const Problem& p, const T* x, T* scratch_n) {
  user_P_product(g, p, x, scratch_n);
  T local = T(0);
  for (int j = g.rank(); j < p.n; j += g.size()) local += x[j] * (T(0.5) * scratch_n[j] + p.q[j]);
  return g.sum(local);
}

// True when x, y, the residuals and (for statuses with a solution) the objective are finite. Uniform.
template <class Group, class T>
BPQP_HD bool outputs_finite(const Group& g, int n, int m, const ProblemOutput<T>& out, const ProblemReport<T>& r) {
  const bool infeasible = r.status == SolveStatus::primal_infeasible || r.status == SolveStatus::dual_infeasible;
  const bool report_finite =
      is_finite(r.prim_res) && is_finite(r.dual_res) && (infeasible || is_finite(r.objective));  // uniform
  const bool x_finite = all_finite(g, out.x, n);
  const bool y_finite = all_finite(g, out.y, m);
  return report_finite && x_finite && y_finite;
}

template <class Group, class T>
BPQP_HD void finish_report(const Group& g, ProblemReport<T>& report, const ProblemOutput<T>& out) {
  if (g.rank() == 0) *out.report = report;
  g.sync();
}

// Writes a failed problem: zeros, the status, the report.
template <class Group, class T>
BPQP_HD void report_failure(const Group& g, int n, int m, SolveStatus status, ProblemReport<T>& report,
                            const ProblemOutput<T>& out) {
  report.status = status;
  fill(g, out.x, n, T(0));
  fill(g, out.y, m, T(0));
  finish_report(g, report, out);
}

// ADMM's complementarity test. With b the bounds the multipliers claim, the duality gap is
//   xᵀPx + qᵀx + yᵀb = xᵀ(Px + q + Aᵀy) + yᵀ(z − Ax) + yᵀ(b − z):
// the stopping test bounds the first term by ‖x‖₁ times the dual tolerance, and the rest is
// the primal violation's share Σ|y_i|·dist(A_i x, [l_i, u_i]) (the certificate's) and the
// complementarity defect, which nothing in the residuals bounds: z can sit on a bound while
// Ax is inside the box within the primal tolerance, times a multiplier of any size. A tiny row
// with a huge multiplier makes it large with both residuals passing: a float LP whose row
// 1.3e-15·x ≥ 0 pins x at 0 ended with x = 0.0095 and y = −6.6e14, the objective 0.0083 above
// the dual's (solve fuzzer). So the gap, net of the primal term, must be within what the dual
// term allows: (1 + ‖x‖₁)·(eps_abs + eps_rel·dual_scale), plus the sum's rounding.
// A row keeps b = z where its bound is infinite, and where its multiplier moves the dual
// residual by no more than drop_unsupported_multipliers allows (|y_i|·max_j |a_ij| ≤
// 0.1·eps_abs / m): the answer reports such a multiplier as 0 when it claims a bound the row
// is not at. A cone block's b is its offset l_k (the dual's support term of l_k + Q is
// y_kᵀl_k for y_k ∈ −Q), its defect y_kᵀ(l_k − z_k) ≥ 0, and the primal share of row i
// |y_i|·|Āx̄ − z|_i. All terms are scaled-problem values, c times their unscaled ones. Reads the
// products compute_residuals left (work_m = Āx̄, work_n = P̄x̄ + q̄ + Āᵀȳ, work_n2 = Āᵀȳ).
// max_j |Ā_ij|·D⁻¹_j: row i's largest entry of the unscaled A times c·E_i (a dense workspace's;
// the sparse path overloads it).
template <class T>
BPQP_HD BPQP_INLINE T scaled_row_max_abs(int n, const AdmmWorkspace<T>& w, const ScalingView<T>& s, int i) {
  T largest = T(0);
  for (int j = 0; j < n; ++j) largest = max_of(largest, s.D_inv[j] * abs_of(w.A[i * n + j]));
  return largest;
}

template <class Group, class T, class Workspace>
BPQP_HD bool admm_complementarity_holds(const Group& g, int n, int m, const AdmmParams<T>& prm, const Workspace& w,
                                        const Residuals<T>& res) {
  const ScalingView<T> s = scaling_of(w);
  const T negligible = T(0.1) * prm.eps_abs / static_cast<T>(m > 0 ? m : 1);
  T xpx = T(0), qx = T(0), x_norm = T(0), support = T(0), explained = T(0);
  for (int j = g.rank(); j < n; j += g.size()) {
    xpx += w.x[j] * (w.work_n[j] - w.q[j] - w.work_n2[j]);
    qx += w.q[j] * w.x[j];
    x_norm += abs_of(w.x[j]) / s.D_inv[j];
  }
  const int box_rows = w.cones.box_rows(m);
  for (int i = g.rank(); i < m; i += g.size()) {
    const T yi = w.y[i];
    if (i >= box_rows) {
      support += yi * w.l[i];
      explained += abs_of(yi * (w.work_m[i] - w.z[i]));
      continue;
    }
    const T bound = yi > T(0) ? w.u[i] : w.l[i];
    T b = w.z[i];
    if ((yi > T(0) || yi < T(0)) && is_finite(bound)) {
      // max_j |a_ij y_i| unscaled is max_j |Ā_ij ȳ_i|·D⁻¹_j / c
      if (scaled_row_max_abs(n, w, s, i) * abs_of(yi) / s.c > negligible) b = bound;
    }
    support += yi * b;
    explained += abs_of(yi * (w.work_m[i] - clamp_to(w.work_m[i], w.l[i], w.u[i])));
  }
  xpx = g.sum(xpx);
  qx = g.sum(qx);
  x_norm = g.sum(x_norm);
  support = g.sum(support);
  explained = g.sum(explained);
  const T c_inv = T(1) / s.c;
  const T terms = max_of(abs_of(xpx), max_of(abs_of(qx), abs_of(support)));
  const T defect = c_inv * (abs_of(xpx + qx + support) - explained);
  const T allowed = (T(1) + x_norm) * (prm.eps_abs + prm.eps_rel * res.dual_scale) +
                    T(n + m) * machine_epsilon<T>() * c_inv * terms;
  return !(defect > allowed);
}

// Writes an infeasibility certificate to the outputs, unscaled and normalized to ‖·‖∞ = 1:
// primal_infeasible, the projected δy the test left in work_m (x: the iterate); dual_infeasible,
// the δx it left in work_n (y: the iterate).
template <class Group, class T, class Workspace>
BPQP_HD void write_infeasibility_certificate(const Group& g, int n, int m, const Workspace& w, SolveStatus status,
                                             const ProblemOutput<T>& out) {
  if (status == SolveStatus::primal_infeasible) {
    write_unscaled(g, n, m, w, w.x, w.work_m, out.x, out.y);
    const T norm = inf_norm(g, out.y, m);
    for (int i = g.rank(); i < m; i += g.size()) out.y[i] /= norm;
  } else {
    write_unscaled(g, n, m, w, w.work_n, w.y, out.x, out.y);
    const T norm = inf_norm(g, out.x, n);
    for (int j = g.rank(); j < n; j += g.size()) out.x[j] /= norm;
  }
  g.sync();
}

// Where admm_run starts: the iterate in w, ρ, and whether w.factor holds the ADMM
// matrix for it. check_first: test termination before iterating (a start that may
// already be converged: the shared-data phase's), not only every check_every iterations.
// iterations: already spent on this problem (the batch phase's); they count against
// max_iter and interior_point_after as the loop's own do. previous: w.x_prev, w.y_prev
// hold the iterate before w.x, w.y, so the infeasibility tests may run at a first check.
template <class T>
struct RunStart {
  T rho;
  bool factored;
  bool check_first;
  int iterations;
  bool previous = false;
};

// Whether the (scaled) P is zero: an LP, which hands over to the interior point after
// interior_point_after_lp iterations (0: before any) instead of interior_point_after.
template <class Group, class T>
BPQP_HD bool is_lp(const Group& g, int n, const T* P) {
  return inf_norm(g, P, n * n) == T(0);
}

template <class T>
BPQP_HD BPQP_INLINE int interior_point_handover(const AdmmParams<T>& prm, bool lp) {
  return lp ? prm.interior_point_after_lp : prm.interior_point_after;
}

// The ADMM loop from the iterate in w (the scaled problem in w), the interior-point
// rescue, and the report and unscaled outputs (report.iterations: all of them, the
// start's included).
//
// One description of the loop for both linear-algebra backends: the dense per-problem
// kernels (ProblemView, AdmmWorkspace) and the sparse path (src/cpu/sparse_admm.hpp: its
// problem view and workspace, with overloads of the functions below that touch P̄ and Ā).
template <class Group, class T, class Problem, class Workspace>
BPQP_HD void admm_run(const Group& g, const Problem& p, const AdmmParams<T>& prm, Workspace& w, RunStart<T> start,
                      ProblemReport<T>& report, const ProblemOutput<T>& out) {
  const int n = p.n, m = p.m;
  T rho = start.rho;
  bool numerically_ok = true;
  forget_rejected_guess(g, m, w);
  bool factored = start.factored;
  Residuals<T> res;
  SolveStatus status = SolveStatus::max_iterations;
  // Polishing also runs during the iterations, at doubling intervals (total cost
  // at most twice the last attempt): a polished point is accepted only when it
  // passes the termination test, so an early success is a verified solution.
  int next_polish = first_polish_iteration(n, m, prm);
  bool polish_scheduled = false;  // an in-loop attempt was made: the doubling intervals run
  int k = start.iterations;
  // A start with no iterations left (the batch phase may hand its problems over at max_iter,
  // its own cap) is tested as it is: the report then says whether it converged at the phase's
  // last check, with the residuals measured (it said max_iterations with residuals 0).
  bool check_now = start.check_first || k >= prm.max_iter;
  bool iterated = start.previous;  // the infeasibility tests compare two iterates
  // (the scaled P̄ is zero exactly when P is). A problem with cone blocks is not an LP here:
  // the LP rule starts in the interior point for an LP's vertex, which a cone has not.
  const bool lp = is_lp(g, n, w.P) && !w.cones.any();
  const int handover_after = interior_point_handover(prm, lp);
  const bool interior_point_on = prm.interior_point_max_iter > 0;
  bool interior_point_tried = false;
  // The interior-point fallback: true when it verified a solution (status, polish and res set)
  // or, with may_prove_infeasible, proved the problem infeasible from its last iterate (status
  // set, the certificate in work_m or work_n). Where the backend has a second form of the Newton
  // matrix (newton_forms), it gets the steps the first left when the first verified nothing:
  // interior_point_max_iter bounds them all.
  auto run_interior_point = [&](bool may_prove_infeasible) {
    interior_point_tried = true;
    Residuals<T> verified;
    bool polished = false;
    bool done = false;
    SolveStatus proved = SolveStatus::max_iterations;
    int steps = 0;
    for (int form = 0; !done && proved == SolveStatus::max_iterations && form < newton_forms(n, w) &&
                       steps < prm.interior_point_max_iter;
         ++form) {
      use_newton_form(w, form);
      AdmmParams<T> left = prm;
      left.interior_point_max_iter = prm.interior_point_max_iter - steps;
      int used = 0;
      done = interior_point_solve(g, n, m, left, w, &verified, &used, &polished,
                                  may_prove_infeasible ? &proved : nullptr);
      steps += used;
    }
    report.interior_point_iterations = steps;
    if (proved != SolveStatus::max_iterations) {
      status = proved;
      return true;
    }
    if (!done) return false;
    status = SolveStatus::solved;
    report.polish = polished ? PolishStatus::succeeded : prm.polish ? PolishStatus::rejected : PolishStatus::not_run;
    res = verified;
    return true;
  };
  // An LP with interior_point_after_lp = 0 starts in the interior point: ADMM approaches an
  // LP's vertex slowly, and its early iterates give the interior point nothing (it sets its
  // own slacks). Where the interior point verifies nothing, ADMM runs from its start as
  // usual, with its infeasibility tests; the interior point spent x_prev, the ρ vector and
  // the factor storage, which are set up again.
  const bool interior_point_first = lp && interior_point_on && handover_after == 0 && !check_now;
  if (interior_point_first && !run_interior_point(true)) {
    set_rho_vector(g, m, rho, prm, w);
    factored = false;
    iterated = false;
  }
  // The infeasibility tests also take the difference over a long window, from an anchor
  // iterate of iteration k_anchor (moved to the current one whenever k reaches 2·k_anchor, so
  // the window grows to half the run), kept in the interior point's arrays, which ADMM does not
  // use. An infeasible problem's iterates diverge like k·δ: their consecutive difference loses
  // float's precision as they grow (relative rounding about ε·k: in float the certificate failed
  // from a few thousand iterations on), the window's keeps it (ε·k/(k − k_anchor), 2ε at its
  // longest), and it averages out ADMM's oscillation.
  T* x_anchor = w.interior;
  T* y_anchor = w.interior + n;
  int k_anchor = -1;  // none yet
  // A polish attempt overwrites the factor storage: where ADMM goes on iterating
  // after a failed one, the caller rebuilds the ADMM matrix.
  auto try_polish = [&]() {
    Residuals<T> polished;
    if (polish_point(g, n, m, prm, w, &polished)) {
      res = polished;
      report.polish = PolishStatus::succeeded;
      return true;
    }
    report.polish = PolishStatus::rejected;
    return false;
  };
  // Concluded before the loop: by the interior point, solved or proved infeasible.
  while ((k < prm.max_iter || check_now) && status == SolveStatus::max_iterations) {
    if (!check_now) {
      if (!factored) {
        numerically_ok = factor_reduced_system(g, n, m, prm.sigma, w);
        factored = true;
        if (!numerically_ok) break;
      }
      admm_iterate(g, n, m, prm, w);
      ++k;
      iterated = true;
      if (k % prm.check_every != 0 && k != prm.max_iter) continue;
    }
    check_now = false;
    res = compute_residuals(g, n, m, w, w.x, w.z, w.y);
    if (!is_finite(res.prim) || !is_finite(res.dual)) {
      numerically_ok = false;
      break;
    }
    const T eps_prim = prm.eps_abs + prm.eps_rel * res.prim_scale;
    // The dual residual must pass with its rounding bound subtracted from the tolerance, as a
    // finish's must (accept_if_converged): two rows active at one point let ADMM's multipliers
    // grow into cancelling ±1e5 whose computed residual is 0 (solve fuzzer, float: true 0.014).
    const T eps_dual =
        prm.eps_abs + prm.eps_rel * res.dual_scale - dual_residual_rounding(g, n, m, w, w.y);
    if (res.prim <= eps_prim && res.dual <= eps_dual && admm_complementarity_holds(g, n, m, prm, w, res)) {
      status = SolveStatus::solved;
      if (prm.polish) try_polish();  // a rejected polish keeps the ADMM point, which is solved
      break;
    }
    if (!iterated) continue;  // a start that is not converged: iterate (the tests below need two iterates)
    // Infeasibility certificates are approximate; a slowly converging feasible
    // problem can mimic one, so a verified polished optimum overrides them. Each is tested on
    // the consecutive difference, then on the window's (below); a passing pair is tested
    // again after a rejected polish, which leaves the certificate where the output reads it.
    const bool window = k_anchor >= 0 && k - k_anchor >= 2 * prm.check_every;
    auto primal_proof = [&](bool over_window) {
      return over_window ? primal_infeasible(g, n, m, w, static_cast<const T*>(w.y), y_anchor, prm.eps_prim_inf)
                         : primal_infeasible(g, n, m, w, prm.eps_prim_inf);
    };
    auto dual_proof = [&](bool over_window) {
      return over_window ? dual_infeasible(g, n, m, w, static_cast<const T*>(w.x), x_anchor, prm.eps_dual_inf)
                         : dual_infeasible(g, n, m, w, prm.eps_dual_inf);
    };
    bool over_window = false;
    if (primal_proof(false) || (window && (over_window = primal_proof(true)))) {
      status = prm.polish && try_polish() ? SolveStatus::solved : SolveStatus::primal_infeasible;
      if (status == SolveStatus::primal_infeasible) primal_proof(over_window);  // restore δy
      break;
    }
    if (dual_proof(false) || (window && (over_window = dual_proof(true)))) {
      status = prm.polish && try_polish() ? SolveStatus::solved : SolveStatus::dual_infeasible;
      if (status == SolveStatus::dual_infeasible) dual_proof(over_window);  // restore δx
      break;
    }
    if (k_anchor < 0 || k >= 2 * k_anchor) {  // the anchor moves forward geometrically
      copy(g, x_anchor, static_cast<const T*>(w.x), n);
      copy(g, y_anchor, static_cast<const T*>(w.y), m);
      k_anchor = k;
    }
    // ADMM hands over to the interior-point fallback (when enabled) after interior_point_after
    // iterations, or interior_point_after_lp for an LP.
    const bool handover = interior_point_on && !interior_point_tried && k >= handover_after;
    const bool last = k == prm.max_iter || handover;
    // With cone blocks the first attempt's cost is estimated again at each check from the
    // classification the iterate suggests: the bound above counts a block's d rows, the cone
    // polish's KKT one row per boundary block (random SOCPs 500×100: 1002 rows in the bound,
    // about 510 in the polish, which then starts at iteration 50 instead of 125).
    if (prm.polish && w.cones.any() && !polish_scheduled && k < next_polish) {
      const int rows = guessed_cone_kkt_rows<T>(g, m, w);
      const int estimate = first_polish_iteration_for(n, m, rows < n ? rows : n, prm);
      if (estimate < next_polish) next_polish = estimate;
    }
    if (prm.polish && (last || (prm.polish_first_attempt > 0 && k >= next_polish))) {
      polish_scheduled = true;
      next_polish = 2 * k;
      if (try_polish()) {
        status = SolveStatus::solved;
        break;
      }
      if (!last) factored = false;  // the polish used the factor storage: rebuilt before the next iteration
    }
    if (last) {
      const bool close = res.prim <= T(10) * eps_prim && res.dual <= T(10) * eps_dual;
      status = close ? SolveStatus::solved_inaccurate : SolveStatus::max_iterations;
      break;
    }
    if (prm.adaptive_rho_interval > 0 && k % prm.adaptive_rho_interval == 0) {
      const T rho_new = estimate_rho(rho, res, prm);
      if (rho_new > rho * prm.adaptive_rho_tolerance || rho_new < rho / prm.adaptive_rho_tolerance) {
        rho = rho_new;
        ++report.rho_updates;
        set_rho_vector(g, m, rho, prm, w);
        factored = false;
      }
    }
  }
  report.iterations = k;
  report.rho = rho;
  // The interior-point fallback takes over what ADMM ended without a verified answer:
  //   - a problem it has not solved;
  //   - one it has solved whose final polish was rejected (seen on random LPs, whose ADMM
  //     iterates approach the vertex slowly): without a verified active set the backward pass
  //     differentiates the wrong face;
  //   - an infeasibility certificate no polish overrode (polish off or rejected). ADMM's tests
  //     are approximate (OSQP's, on a difference of iterates), and a feasible problem that
  //     converges slowly can pass one: Maros–Mészáros PRIMALC2 passes the dual test at
  //     iteration 450, though its optimum is −3551.3. A verified solution replaces the
  //     certificate; otherwise it stands (also where the interior point proves the same from
  //     its own iterate: it stops there, and ADMM's certificate is the one already verified).
  //     It is written to the outputs first: the interior point spends the arrays that hold it.
  // Whatever the interior point certifies passes the same termination test as an ADMM point;
  // where it certifies nothing, w.x, w.z, w.y are untouched and ADMM's point stays. It may
  // prove infeasibility only of a problem ADMM did not nearly solve, or certified infeasible.
  const bool unsolved = status == SolveStatus::max_iterations || status == SolveStatus::solved_inaccurate;
  const bool unverified = status == SolveStatus::solved && prm.polish && report.polish == PolishStatus::rejected;
  const bool certified_infeasible =
      status == SolveStatus::primal_infeasible || status == SolveStatus::dual_infeasible;
  bool certificate_written = false;
  if (numerically_ok && interior_point_on && !interior_point_tried && (unsolved || unverified || certified_infeasible)) {
    const SolveStatus admm_status = status;
    if (certified_infeasible) write_infeasibility_certificate(g, n, m, w, status, out);
    run_interior_point(status == SolveStatus::max_iterations || certified_infeasible);
    certificate_written = certified_infeasible && status != SolveStatus::solved;
    if (certificate_written) status = admm_status;
  }
  if (!numerically_ok) {
    report_failure(g, n, m, SolveStatus::numerical_error, report, out);
    return;
  }

  report.status = status;
  report.prim_res = res.prim;
  report.dual_res = res.dual;

  if (status == SolveStatus::primal_infeasible || status == SolveStatus::dual_infeasible) {
    if (!certificate_written) write_infeasibility_certificate(g, n, m, w, status, out);
  } else {
    write_unscaled(g, n, m, w, w.x, w.y, out.x, out.y);
    drop_unsupported_multipliers(g, p, prm, out.x, out.y);
  }
  if (status == SolveStatus::solved || status == SolveStatus::solved_inaccurate ||
      status == SolveStatus::max_iterations)
    report.objective = objective_value(g, p, out.x, w.work_n);
  else
    report.objective = status == SolveStatus::primal_infeasible ? infinity<T>() : -infinity<T>();
  // Never a silent NaN: data at the edge of the range (q = 1e308), a non-convex P
  // with check_convexity off, or a certificate that underflowed can still
  // overflow somewhere; such a problem is reported, with zeros.
  if (!outputs_finite(g, n, m, out, report)) {
    report.polish = PolishStatus::not_run;
    report.objective = T(0);
    report_failure(g, n, m, SolveStatus::numerical_error, report, out);
    return;
  }
  finish_report(g, report, out);
}

// True when a warm start (x0: n, y0: m, null when m = 0) is given and all finite
// (uniform): a non-finite warm start is ignored rather than allowed to spoil the solve.
template <class Group, class T>
BPQP_HD bool warm_start_usable(const Group& g, int n, int m, const T* x0, const T* y0) {
  if (!x0 || (m > 0 && !y0)) return false;
  const bool x_finite = all_finite(g, x0, n);
  const bool y_finite = all_finite(g, y0, m);
  return x_finite && y_finite;
}

// Solves one problem. out.x (n), out.y (m) and out.report are written; what x
// and y hold depends on the status (see SolveStatus): the solution when
// solved, the last iterate for max_iterations, an infeasibility certificate
// (y for primal_infeasible, x for dual_infeasible, normalized to unit
// inf-norm), zeros for invalid_input and numerical_error.
template <class Group, class T>
BPQP_HD void admm_solve(const Group& g, const ProblemView<T>& p, const AdmmParams<T>& prm, AdmmWorkspace<T>& w,
                        const ProblemOutput<T>& out) {
  const int n = p.n, m = p.m;
  ProblemReport<T> report;
  report.rho = prm.rho;
  w.cones = p.cones;

  report.input_issue = validate_problem(g, p, prm, w.factor, w.factor_scratch);
  if (report.input_issue != InputIssue::none) {
    report_failure(g, n, m, SolveStatus::invalid_input, report, out);
    return;
  }

  ruiz_equilibrate(g, p, prm.scaling_iterations, w);
  set_rho_vector(g, m, prm.rho, prm, w);
  if (!factor_reduced_system(g, n, m, prm.sigma, w)) {
    report_failure(g, n, m, SolveStatus::numerical_error, report, out);
    return;
  }

  // Initial iterate: zeros, or the warm start mapped into the scaled space (and the
  // internal row order: a rotated block's pair in its cone's coordinates).
  const bool warm = warm_start_usable(g, n, m, out.x0, out.y0);
  const T c = w.scalars[0];
  for (int j = g.rank(); j < n; j += g.size()) w.x[j] = warm ? T(out.x0[j]) * w.D_inv[j] : T(0);
  for (int r = g.rank(); r < m; r += g.size())
    w.y[r] = warm ? T(out.y0[p.cones.user_row(r)]) * w.E_inv[r] * c : T(0);
  g.sync();
  for (int k = g.rank(); warm && k < p.cones.count; k += g.size())
    if (p.cones.rotated(k)) rotate_cone_pair(w.y[p.cones.begin(k)], w.y[p.cones.begin(k) + 1]);
  g.sync();
  if (warm) {
    gemv(g, w.A, m, n, w.x, w.z);
    project_onto_constraints(g, m, w.cones, w.l, w.u, w.z);
  } else {
    fill(g, w.z, m, T(0));
  }
  admm_run(g, p, prm, w, RunStart<T>{prm.rho, true, false, 0}, report, out);
}

}  // namespace bpqp::kernels
