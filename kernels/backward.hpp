// One problem's backward pass (BPQP, DESIGN.md §1): active-set extraction, the
// equality-constrained backward QP on it, and gradient assembly.
//
// Derivation. With 𝒜 the active rows and b_𝒜 their active bounds, the solution
// satisfies, locally (strict complementarity),
//   P x + q + A_𝒜ᵀ y_𝒜 = 0,   A_𝒜 x = b_𝒜,   y_i = 0 off 𝒜.
// Differentiating, with K = [P A_𝒜ᵀ; A_𝒜 0]:
//   K [dx*; dy*_𝒜] = [−(dP x + dq + dAᵀy); db_𝒜 − dA_𝒜 x].
// For dL = gᵀdx* + h_𝒜ᵀdy*_𝒜 (g = ∂L/∂x*, h = ∂L/∂y*; off 𝒜, dy* = 0) let
// [dx; w] = −K⁻¹[g; h_𝒜] (K is symmetric), i.e. K [dx; w] = [−g; −h_𝒜]. Then
//   dL = −[dx; w]ᵀ K [dx*; dy*] = dxᵀ(dP x + dq + dAᵀy) − wᵀ(db_𝒜 − dA_𝒜 x),
// which reads off ∂L/∂q = dx, ∂L/∂P = ½(dx xᵀ + x dxᵀ) (the objective sees only the
// symmetric part of P), ∂L/∂A_ij = w_i x_j + y_i dx_j, ∂L/∂b_i = −w_i: b_i = u_i where
// y_i > 0, b_i = l_i where y_i < 0 — the signs of DESIGN.md §1.
//
// Mode direct solves K through the quasi-definite [P̃+δI, Âᵀ; Â, −δI] of the
// equilibrated system (P̃ = P / max|P|, Â: the active rows scaled to unit inf-norm) and
// iterative refinement against the exact K, like polishing (kernels/polish.hpp). Mode admm hands the same
// backward QP to admm_solve. With lp_smoothing γ > 0 the exact matrix is
// [P+γI, A_𝒜ᵀ; A_𝒜, −γI] (see BackwardOptions::lp_smoothing).
#pragma once

#include "bpqp/backward_status.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/admm_solve.hpp"
#include "kernels/backward_workspace.hpp"
#include "kernels/bounds.hpp"
#include "kernels/cone_backward.hpp"
#include "kernels/dense_ldlt.hpp"
#include "kernels/reduced_kkt.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

template <class T>
struct BackwardParams {
  T active_tolerance = T(1e-5);  // τ: row i is active when |y_i| > τ(1 + ‖y‖∞)
  T delta = T(1e-9);             // direct: regularization δ of the equilibrated reduced KKT
  T lp_smoothing = T(0);         // γ ≥ 0
  int refine_iterations = 10;
  bool use_admm = false;
  AdmmParams<T> admm;            // mode admm: the backward QP's solve
};

// One problem of the backward: its data, the forward solution and the loss gradients.
template <class T>
struct BackwardInput {
  ProblemView<T> problem;
  const T* x = nullptr;      // n: x*
  const T* y = nullptr;      // m: y*
  const T* dl_dx = nullptr;  // n: g
  const T* dl_dy = nullptr;  // m: h, or null
};

// Where the gradients go. A null pointer skips that gradient; an add_* flag adds
// to what is there (a shared input summing over the batch) instead of overwriting —
// plain read-modify-write: two groups running at once must not add to the same array.
template <class T>
struct GradientOutput {
  T* dP = nullptr;  // n×n
  T* dq = nullptr;  // n
  T* dA = nullptr;  // m×n
  T* dl = nullptr;  // m
  T* du = nullptr;  // m
  bool add_P = false, add_q = false, add_A = false, add_l = false, add_u = false;
};

template <class T>
struct BackwardReport {
  BackwardStatus status = BackwardStatus::ok;
  int active_rows = 0;   // |𝒜|
  int refine_steps = 0;  // direct: refinement steps taken
  int admm_iterations = 0;
  T kkt_residual = T(0);  // direct: ‖rhs − K[dx; w]‖∞ against the exact reduced KKT
};

// Whether row a·x sits on bound b to rounding, from ax = a·x and size = Σ_j |a_j x_j|.
template <class T>
BPQP_HD BPQP_INLINE bool within_rounding_of_bound(T ax, T size, T b) {
  return abs_of(ax - b) <= T(100) * machine_epsilon<T>() * (abs_of(b) + size);
}

// Whether row a·x sits on bound b to rounding: |a·x − b| ≤ 100ε(|b| + Σ|a_j x_j|).
template <class T>
BPQP_HD BPQP_INLINE bool on_bound_to_rounding(const T* a, const T* x, int n, T b) {
  T ax = T(0), size = T(0);
  for (int j = 0; j < n; ++j) {
    ax += a[j] * x[j];
    size += abs_of(a[j] * x[j]);
  }
  return within_rounding_of_bound(ax, size, b);
}

// The active-set rule of extract_active_set below, for any storage of A: tol = τ(1 + ‖y‖∞)
// and the rounding-noise level √ε(1 + ‖y‖∞).
template <class T>
struct ActiveRowRule {
  T tol, noise;
  // Row i with bounds l, u and multiplier y_i; on_bound(b): whether a_i·x sits on b to rounding.
  template <class OnBound>
  BPQP_HD BPQP_INLINE bool active(T l, T u, T yi, const OnBound& on_bound) const {
    auto pushes = [&](T push, T bound) {  // push = ±y_i towards that bound
      return push > tol || (push > noise && on_bound(bound));
    };
    const bool upper = yi > T(0) && !is_infinite_bound(u) && pushes(yi, u);
    const bool lower = yi < T(0) && !is_infinite_bound(l) && pushes(-yi, l);
    return is_equality_row(l, u) || upper || lower;
  }
};

template <class Group, class T>
BPQP_HD ActiveRowRule<T> active_row_rule(const Group& g, const T* y, int m, T tau) {
  const T y_size = T(1) + inf_norm(g, y, m);
  return ActiveRowRule<T>{tau * y_size, square_root(machine_epsilon<T>()) * y_size};
}

// Marks 𝒜 (w.active, w.active_rows, w.y_active) and returns |𝒜|. A row is active
// when it is an equality row, or when the bound its multiplier pushes on is finite and
// either |y_i| > tol = τ(1 + ‖y‖∞), or |y_i| > √ε(1 + ‖y‖∞) with x on that bound to
// rounding. The second case is a polished answer's (its active rows hold to rounding):
// an LP vertex whose multiplier is 3e-6 beside ‖y‖∞ ≈ 1 keeps that row, where the
// threshold alone left A_𝒜 one row short of the vertex and the gradient 1e9 (mixed_lp
// 100×20, 2 problems in 64). Below √ε a multiplier is rounding noise, and a row touching
// its bound with it is weakly active: inactive, as before. (In float √ε > τ: the
// threshold alone decides.) An ADMM answer's rows are off their bounds by about the
// primal residual, so the threshold decides there. tol (uniform) goes to *tol_out.
// Only box rows are marked this way; a cone block's rows are marked cone_row_kind (their
// classification is classify_cone_blocks's).
template <class Group, class T>
BPQP_HD int extract_active_set(const Group& g, const ProblemView<T>& p, const T* x, const T* y, T tau,
                               BackwardWorkspace<T>& w, T* tol_out) {
  const ActiveRowRule<T> rule = active_row_rule(g, y, p.m, tau);
  const int box_rows = p.cones.box_rows(p.m);
  for (int r = box_rows + g.rank(); r < p.m; r += g.size()) w.active[p.cones.user_row(r)] = cone_row_kind;
  for (int r = g.rank(); r < box_rows; r += g.size()) {
    const int i = p.cones.user_row(r);
    const T yi = y[i];
    const T* a = p.A + static_cast<std::ptrdiff_t>(i) * p.n;
    const bool active = rule.active(p.l[i], p.u[i], yi, [&](T bound) { return on_bound_to_rounding(a, x, p.n, bound); });
    w.active[i] = active ? 1 : 0;
    w.y_active[i] = active ? yi : T(0);
  }
  g.sync();
  if (g.rank() == 0) {
    int count = 0;
    for (int i = 0; i < p.m; ++i)
      if (w.active[i] == 1) w.active_rows[count++] = i;
    w.scalars[0] = T(count);
  }
  g.sync();
  *tol_out = rule.tol;
  return static_cast<int>(w.scalars[0]);
}

// The direct solve works on the equilibrated system. With c = max|P_ij| (1 for an
// LP), the active rows scaled to unit inf-norm (Â = S A_𝒜, w = S v) and dx = d̃x / c,
//   K̃ [d̃x; v] = [−g; −c S h_𝒜],   K̃ = [(P + γI)/c, Âᵀ; Â, −cγ S²],
// whose blocks are all of unit size, so that one relative δ suits every problem: the
// factored matrix is K̃ + diag(δI, −δI) (γ = 0) or K̃ itself (γ > 0, already quasi-definite).
template <class T>
BPQP_HD BPQP_INLINE ReducedKkt<T> equilibrated_kkt(const ReducedKkt<T>& system, T p_max, T gamma,
                                                   const BackwardWorkspace<T>& w) {
  ReducedKkt<T> K = system;
  K.row_scale = w.row_scale;
  const T c = p_max > T(0) ? p_max : T(1);
  K.p_scale = T(1) / c;
  K.p_shift = gamma / c;
  K.row_shift = c * gamma;
  return K;
}

// The box rows' system: P, the active box rows of A, g = ∂L/∂x and h = ∂L/∂y on them.
template <class Group, class T>
BPQP_HD BackwardSystem<T> box_backward_system(const Group& g, const BackwardInput<T>& in, int k,
                                              BackwardWorkspace<T>& w) {
  const ProblemView<T>& p = in.problem;
  BackwardSystem<T> sys;
  sys.kkt.n = p.n;
  sys.kkt.m = p.m;
  sys.kkt.P = p.P;
  sys.kkt.A = p.A;
  sys.kkt.rows = k;
  sys.kkt.row_index = w.active_rows;
  sys.g = in.dl_dx;
  if (in.dl_dy) {
    for (int a = g.rank(); a < k; a += g.size()) w.h_rows[a] = in.dl_dy[w.active_rows[a]];
    g.sync();
    sys.h = w.h_rows;
  }
  return sys;
}

// Whether refinement removed the regularization: the residual fell a hundredfold, or it is
// at rounding level and δ moved the equations by less than a tenth of the right-hand side.
// Otherwise K̃ is singular (or σ_min(K̃) ≲ δ) with the right-hand side outside its range.
template <class T>
BPQP_HD BPQP_INLINE bool refined_away(const Refinement<T>& r, int N, T sol_norm) {
  const T rounding = T(16) * square_root(T(N)) * machine_epsilon<T>() * (r.rhs_norm + sol_norm);
  return r.residual <= T(0.01) * r.initial || (r.residual <= rounding && r.initial < T(0.1) * r.rhs_norm);
}

// Mode direct: dx (w.dx) and the rows' multipliers (w.multipliers) from the reduced KKT.
// Returns ok, regularized or numerical_error (see the comments below for when).
template <class Group, class T>
BPQP_HD BackwardStatus solve_backward_direct(const Group& g, const BackwardSystem<T>& sys,
                                             const BackwardParams<T>& prm, BackwardWorkspace<T>& w,
                                             BackwardReport<T>& report) {
  const int n = sys.kkt.n, k = sys.kkt.rows, N = n + k;
  const T eps = machine_epsilon<T>();

  for (int a = g.rank(); a < k; a += g.size()) {
    const T* arow = sys.kkt.row(a);
    T mx = T(0);
    for (int c = 0; c < n; ++c) mx = max_of(mx, abs_of(arow[c]));
    w.row_scale[a] = mx > T(0) ? T(1) / mx : T(1);
  }
  const T p_max = inf_norm(g, sys.kkt.P, n * n);
  g.sync();
  const ReducedKkt<T> K = equilibrated_kkt(sys.kkt, p_max, prm.lp_smoothing, w);
  const bool smoothing = prm.lp_smoothing > T(0);
  // With cone blocks, δ at least 100ε (as the cone polish's): their curvature makes the matrix
  // worse conditioned than a QP's, and in float δ = 1e-6 (8ε) left random SOCPs 10×5 with
  // regularized gradients (cosine 0.975 to the double ones; 1e-5: 1.000000).
  T delta = sys.with_cones ? max_of(prm.delta, T(100) * eps) : prm.delta;

  // Factor; should rounding break the quasi-definite sign pattern, retry with a larger δ
  // (refinement against the exact matrix still removes it).
  bool factored = false;
  for (int attempt = 0; attempt < 4 && !factored; ++attempt) {
    if (attempt > 0) delta *= T(100);
    const T reg = smoothing && attempt == 0 ? T(0) : delta;
    assemble_reduced_kkt(g, K, static_cast<const T*>(nullptr), reg, reg, w.factor);
    factored = ldlt_factor(g, w.factor, N, N, n, w.factor_scratch);
  }
  if (!factored) return BackwardStatus::numerical_error;

  // Right-hand side [−g; −c S h_𝒜] and the regularized solution.
  const T c = T(1) / K.p_scale;
  for (int j = g.rank(); j < n; j += g.size()) w.rhs[j] = -sys.g[j];
  for (int a = g.rank(); a < k; a += g.size()) w.rhs[n + a] = sys.h ? -c * w.row_scale[a] * sys.h[a] : T(0);
  g.sync();
  copy(g, w.sol0, w.rhs, N);
  ldlt_solve(g, w.factor, N, N, w.sol0);

  // Rank test on the negative pivots. Once the P block is eliminated, active row a's pivot
  // is −δ − t_a with t_a = â_a(P̃+δI)⁻¹â_aᵀ = Σ_{c<n} L_ac² D_c; eliminating the earlier rows
  // removes the part of t_a they explain. |D| − δ ≈ 0 (within δ and the rounding of t_a)
  // means the row adds nothing: A_𝒜 is rank deficient and w is not unique.
  T deficient = T(0);
  if (!smoothing) {
    for (int a = g.rank(); a < k; a += g.size()) {
      const T* lrow = w.factor + static_cast<std::ptrdiff_t>(n + a) * N;
      T t = T(0);
      for (int col = 0; col < n; ++col) t += lrow[col] * lrow[col] * w.factor[static_cast<std::ptrdiff_t>(col) * N + col];
      const T information = abs_of(lrow[n + a]) - delta;
      if (!(information > T(10) * delta + T(100) * eps * (t + delta))) deficient = T(1);
    }
    deficient = g.max(deficient);
  }

  // Iterative refinement against the exact K̃ (kernels/reduced_kkt.hpp). Without smoothing
  // the unrefined residual is exactly r0 = δ‖sol0‖∞ (the regularization is ±δ on the
  // diagonal); a nonsingular K̃ refines it away geometrically (ratio ≈ δ/σ_min(K̃)), down to
  // rounding.
  copy(g, w.sol, w.sol0, N);
  auto solve = [&](T* v) { ldlt_solve(g, w.factor, N, N, v); };
  const Refinement<T> refined_by =
      refine_reduced_kkt(g, K, solve, prm.refine_iterations, RefineFor::residual, w.rhs, w.sol, w.res, w.corr);
  report.refine_steps = refined_by.steps;
  report.kkt_residual = refined_by.residual;

  // Not refined: the exact gradient does not exist (e.g. P singular on null(A_𝒜)) and the
  // solution of the δ-regularized system (of size ~1/δ in the singular direction) is returned.
  const bool refined = refined_away(refined_by, N, inf_norm(g, w.sol, N));
  BackwardStatus status = BackwardStatus::ok;
  if (!refined) {
    copy(g, w.sol, w.sol0, N);
    status = BackwardStatus::regularized;
  }
  if (deficient > T(0)) status = BackwardStatus::regularized;
  if (!all_finite(g, w.sol, N)) return BackwardStatus::numerical_error;

  for (int j = g.rank(); j < n; j += g.size()) w.dx[j] = w.sol[j] * K.p_scale;
  for (int a = g.rank(); a < k; a += g.size()) w.multipliers[a] = w.row_scale[a] * w.sol[n + a];
  g.sync();
  return status;
}

// Mode admm: the backward QP  minimize ½dxᵀP dx + gᵀdx  s.t. A_𝒜 dx = −h_𝒜  (l = u on
// every row) through admm_solve; w is its dual. With lp_smoothing γ the relaxed rows fold
// into the objective, P + γI + A_𝒜ᵀA_𝒜/γ and g + A_𝒜ᵀh_𝒜/γ, with no rows left, and
// w = (A_𝒜 dx + h_𝒜)/γ.
template <class Group, class T>
BPQP_HD BackwardStatus solve_backward_admm(const Group& g, const BackwardSystem<T>& sys,
                                           const BackwardParams<T>& prm, BackwardWorkspace<T>& w,
                                           BackwardReport<T>& report) {
  const int n = sys.kkt.n, k = sys.kkt.rows;
  const T gamma = prm.lp_smoothing;
  const bool smoothing = gamma > T(0);
  auto h_of = [&](int a) { return sys.h ? sys.h[a] : T(0); };

  ProblemView<T> bp;
  bp.n = n;
  if (smoothing) {
    for (int i = g.rank(); i < n; i += g.size()) {
      T* row = w.P_b + static_cast<std::ptrdiff_t>(i) * n;
      for (int j = 0; j < n; ++j) row[j] = sys.kkt.P[i * n + j];
      row[i] += gamma;
      T qi = sys.g[i];
      for (int a = 0; a < k; ++a) {
        const T* arow = sys.kkt.row(a);
        const T coef = arow[i] / gamma;
        qi += coef * h_of(a);
        if (coef == T(0)) continue;
        for (int j = 0; j < n; ++j) row[j] += coef * arow[j];
      }
      w.q_b[i] = qi;
    }
    g.sync();
    bp.m = 0;
    bp.P = w.P_b;
    bp.q = w.q_b;
    bp.A = w.A_b;
    bp.l = w.bound_b;
    bp.u = w.bound_b;
  } else {
    for (int a = 0; a < k; ++a) {
      const T* arow = sys.kkt.row(a);
      T* brow = w.A_b + static_cast<std::ptrdiff_t>(a) * n;
      for (int j = g.rank(); j < n; j += g.size()) brow[j] = arow[j];
    }
    for (int a = g.rank(); a < k; a += g.size()) w.bound_b[a] = -h_of(a);
    g.sync();
    bp.m = k;
    bp.P = sys.kkt.P;
    bp.q = sys.g;
    bp.A = w.A_b;
    bp.l = w.bound_b;
    bp.u = w.bound_b;
  }

  AdmmWorkspace<T> aws = AdmmWorkspace<T>::carve(w.admm, n, bp.m);
  ProblemOutput<T> out;
  out.x = w.dx;
  out.y = w.y_b;
  out.report = w.admm_report;
  admm_solve(g, bp, prm.admm, aws, out);  // ends with a sync after the report is written
  const SolveStatus st = w.admm_report->status;
  report.admm_iterations = w.admm_report->iterations;
  if (st == SolveStatus::invalid_input || st == SolveStatus::numerical_error) return BackwardStatus::numerical_error;

  for (int a = g.rank(); a < k; a += g.size())
    w.multipliers[a] = smoothing ? (h_of(a) + strided_dot(sys.kkt.row(a), w.dx, 0, n, 1)) / gamma : w.y_b[a];
  g.sync();
  if (!all_finite(g, w.dx, n) || !all_finite(g, w.multipliers, k)) return BackwardStatus::numerical_error;
  return st == SolveStatus::solved ? BackwardStatus::ok : BackwardStatus::not_converged;
}

template <class T>
BPQP_HD BPQP_INLINE void put(T* dst, bool add, T value) {
  if (add) *dst += value;
  else *dst = value;
}

// Row i's bound gradients ∂L/∂l_i, ∂L/∂u_i from its backward multiplier w_i: −w_i to the
// bound its multiplier y_i (0 off 𝒜) pushes on; an equality row whose multiplier is within
// tol of 0 gives half to each bound; a cone block's row gives −w_i to l_i, its offset.
template <class T>
BPQP_HD BPQP_INLINE void bound_gradients(T l, T u, T wi, T yi, bool cone_row, T tol, T* to_l, T* to_u) {
  *to_l = *to_u = T(0);
  if (cone_row) *to_l = -wi;
  else if (is_equality_row(l, u) && !(abs_of(yi) > tol)) *to_l = *to_u = T(-0.5) * wi;
  else if (yi > T(0)) *to_u = -wi;
  else if (yi < T(0)) *to_l = -wi;
}

// Writes (or adds, per the output's flags) the gradients of DESIGN.md §1 from dx, w
// and y*_𝒜. Bound gradients: −w_i to the bound row i's multiplier pushes on; an
// equality row whose multiplier is within tol of 0 gives half to each bound; a cone
// block's row (row_kind cone_row_kind) gives −w_i to l_i, its offset.
template <class Group, class T>
BPQP_HD void assemble_gradients(const Group& g, const ProblemView<T>& p, const T* x, const T* dx, const T* w_full,
                                const T* y_active, const int* row_kind, T tol, const GradientOutput<T>& out) {
  const int n = p.n, m = p.m;
  if (out.dq)
    for (int j = g.rank(); j < n; j += g.size()) put(out.dq + j, out.add_q, dx[j]);
  if (out.dP)
    for (int i = g.rank(); i < n; i += g.size()) {
      T* row = out.dP + static_cast<std::ptrdiff_t>(i) * n;
      for (int j = 0; j < n; ++j) put(row + j, out.add_P, T(0.5) * (dx[i] * x[j] + x[i] * dx[j]));
    }
  if (out.dA)
    for (int i = g.rank(); i < m; i += g.size()) {
      T* row = out.dA + static_cast<std::ptrdiff_t>(i) * n;
      const T wi = w_full[i], yi = y_active[i];
      for (int j = 0; j < n; ++j) put(row + j, out.add_A, wi * x[j] + yi * dx[j]);
    }
  if (out.dl || out.du)
    for (int i = g.rank(); i < m; i += g.size()) {
      T to_l, to_u;
      bound_gradients(p.l[i], p.u[i], w_full[i], y_active[i], row_kind[i] == cone_row_kind, tol, &to_l, &to_u);
      if (out.dl) put(out.dl + i, out.add_l, to_l);
      if (out.du) put(out.du + i, out.add_u, to_u);
    }
  g.sync();
}

// Zero gradients (what an unsolved or non-finite problem gets); adding outputs are left alone.
template <class Group, class T>
BPQP_HD void zero_gradients(const Group& g, int n, int m, const GradientOutput<T>& out) {
  if (out.dq && !out.add_q) fill(g, out.dq, n, T(0));
  if (out.dP && !out.add_P) fill(g, out.dP, n * n, T(0));
  if (out.dA && !out.add_A) fill(g, out.dA, m * n, T(0));
  if (out.dl && !out.add_l) fill(g, out.dl, m, T(0));
  if (out.du && !out.add_u) fill(g, out.du, m, T(0));
}

template <class Group, class T>
BPQP_HD void finish_backward(const Group& g, const BackwardReport<T>& local, BackwardReport<T>* report) {
  if (g.rank() == 0 && report) *report = local;
  g.sync();
}

// The whole backward pass of one problem whose forward was solved. Gradients go to
// `out`; the report (status, |𝒜|, refinement) to *report (by rank 0).
template <class Group, class T>
BPQP_HD void backward_problem(const Group& g, const BackwardInput<T>& in, const BackwardParams<T>& prm,
                              BackwardWorkspace<T>& w, const GradientOutput<T>& out, BackwardReport<T>* report) {
  const ProblemView<T>& p = in.problem;
  const int n = p.n, m = p.m;
  BackwardReport<T> local;
  const bool finite = all_finite(g, in.x, n) && all_finite(g, in.y, m) && all_finite(g, in.dl_dx, n) &&
                      (!in.dl_dy || all_finite(g, in.dl_dy, m));
  if (!finite) {
    local.status = BackwardStatus::non_finite_input;
    zero_gradients(g, n, m, out);
    finish_backward(g, local, report);
    return;
  }
  T tol = T(0);
  const int k_box = extract_active_set(g, p, in.x, in.y, prm.active_tolerance, w, &tol);
  const int degenerate =
      p.cones.any() ? classify_cone_blocks(g, p, in.x, in.y, in.dl_dy, prm.active_tolerance, tol, w) : 0;
  const BackwardSystem<T> sys =
      p.cones.any() ? cone_backward_system(g, p, in.dl_dx, in.dl_dy, k_box, w) : box_backward_system(g, in, k_box, w);
  local.active_rows = sys.kkt.rows;
  local.status = prm.use_admm ? solve_backward_admm(g, sys, prm, w, local) : solve_backward_direct(g, sys, prm, w, local);
  if (local.status == BackwardStatus::numerical_error) {
    zero_gradients(g, n, m, out);
  } else {
    // The multipliers of the box rows of 𝒜 (the system's first k_box rows), then the blocks'.
    fill(g, w.w, m, T(0));
    for (int a = g.rank(); a < k_box; a += g.size()) w.w[w.active_rows[a]] = w.multipliers[a];
    g.sync();
    if (p.cones.any()) cone_row_multipliers(g, p, w.dx, w);
    if (degenerate && local.status == BackwardStatus::ok) local.status = BackwardStatus::degenerate_cone;
    assemble_gradients(g, p, in.x, w.dx, w.w, w.y_active, w.active, tol, out);
  }
  finish_backward(g, local, report);
}

}  // namespace bpqp::kernels
