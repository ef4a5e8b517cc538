// Polishing a problem with cone blocks. No peer polishes SOCP solutions; ours classifies
// the ADMM iterate — box rows as OSQP does, each block as interior, boundary or apex
// (classify_cone_block) — and solves the KKT conditions of that classification,
//   P̄x + q̄ + Σ_𝒜 ā_iᵀν_i + Σ_boundary λ_k B_kᵀ∇φ(B_k x − l̄_k) + Σ_apex B_kᵀν_k = 0,
//   ā_i x = b_i (active box rows),  φ(B_k x − l̄_k) = 0 (boundary),  B_k x = l̄_k (apex),
// by Newton's method: each step solves the reduced KKT [H, Cᵀ; C, 0][dx; ν] =
// [−(P̄x + q̄); r] with H = P̄ + Σ λ_k B_kᵀ∇²φ B_k and C the rows above, linearized
// (kernels/cone_kkt.hpp) — the matrix the backward solves at the solution. The steps
// converge quadratically from an ADMM point; multipliers of the wrong sign and violated
// rows or blocks correct the classification, as correct_active_set does for box rows, and
// the result counts only if it passes the termination test (accept_if_converged).
#pragma once

#include "kernels/admm_residuals.hpp"
#include "kernels/cone_kkt.hpp"
#include "kernels/dense_ldlt.hpp"
#include "kernels/polish.hpp"
#include "kernels/reduced_kkt.hpp"
#include "kernels/second_order_cone.hpp"

namespace bpqp::kernels {

// Newton steps of one polish besides its corrections (polish_active_set_rounds): three or four
// suffice from an ADMM point, whose error squares each step.
constexpr int cone_polish_newton_steps = 12;

// Lists the reduced KKT's rows into w.cone_row_code — an active box row or an apex block's
// row by its internal index (≥ 0), a boundary block k as −(k + 1) — and returns their count.
template <class Group, class T>
BPQP_HD int list_cone_kkt_rows(const Group& g, int m, AdmmWorkspace<T>& w) {
  const ConeLayout& cones = w.cones;
  if (g.rank() == 0) {
    int count = 0;
    for (int i = 0; i < cones.box_rows(m); ++i)
      if (w.active[i] != 0) w.cone_row_code[count++] = i;
    for (int k = 0; k < cones.count; ++k) {
      if (w.cone_position[k] == static_cast<int>(ConePosition::boundary)) w.cone_row_code[count++] = -(k + 1);
      if (w.cone_position[k] == static_cast<int>(ConePosition::apex))
        for (int r = cones.begin(k); r < cones.begin(k + 1); ++r) w.cone_row_code[count++] = r;
    }
    w.scalars[1] = T(count);
  }
  g.sync();
  return static_cast<int>(w.scalars[1]);
}

// s_k = Āx − l̄ on the boundary blocks (Āx in ax): ∇φ at each block's rows of w.cone_gradient
// and ‖s̄_k‖ in w.cone_slack_norm[k]. A block whose s̄ vanished has no boundary constraint
// there (φ is not differentiable at the axis): it becomes an apex block. Returns how many did.
template <class Group, class T>
BPQP_HD int boundary_gradients(const Group& g, AdmmWorkspace<T>& w, const T* ax) {
  const ConeLayout& cones = w.cones;
  T moved = T(0);
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    if (w.cone_position[k] != static_cast<int>(ConePosition::boundary)) continue;
    const int first = cones.begin(k), d = cones.dim(k);
    T* s = w.work_m2 + first;
    for (int r = 0; r < d; ++r) s[r] = ax[first + r] - w.l[first + r];
    const T norm = cone_boundary_gradient(s, d, w.cone_gradient + first);
    w.cone_slack_norm[k] = norm;
    if (!(norm > machine_epsilon<T>() * (abs_of(s[0]) + T(1)))) {
      w.cone_position[k] = static_cast<int>(ConePosition::apex);
      moved += T(1);
    }
  }
  return static_cast<int>(g.sum(moved));
}

// Refinement sweeps a step may spend on the previous step's factorization before it factors
// afresh: a sweep (a residual with H and C, and a solve) costs about 4N² multiply-adds, a
// factorization N³/6, so up to N/24 sweeps cost at most half a factorization.
BPQP_HD BPQP_INLINE int chord_sweeps(int N, int cap) {
  const int affordable = N / 24;
  return affordable < cap ? affordable : cap;
}

// One Newton step on the current classification from x (in `x`): assembles H and C, solves
// [H, Cᵀ; C, 0][dx; ν] = [−(P̄x + q̄); r] (δ-regularized, refined), leaves dx in
// w.kkt_sol[0:n] and ν in w.kkt_sol[n:n+k]. Returns k, or −1 when the factorization broke down.
//
// With `reuse_factor` (the caller's last step had this classification and converged, so
// w.factor holds an LDLᵀ of a nearby matrix) the step first solves with that factorization,
// refined against the exact H and C: a chord step, exact once refinement converges, which it
// does at the rate ‖K_old⁻¹(K − K_old)‖, small when the last step was. It counts when
// refinement brought its correction to rounding level (10ε of the solution) within
// chord_sweeps (√ε, tried first, let float SOCPs 100×20 end 10× less accurate: x error 7e-7
// → 7e-6 against the reference); otherwise, or when a block moved to the apex (changing the
// rows), the step factors afresh. Random SOCPs 500×100 (N ≈ 510): 5–6 factorizations per
// polish before, 3–4 with it.
template <class Group, class T>
BPQP_HD int cone_newton_step(const Group& g, int n, int m, const AdmmParams<T>& prm, AdmmWorkspace<T>& w,
                             const T* x, bool reuse_factor) {
  const ConeLayout& cones = w.cones;
  T* ax = w.z_tilde;
  gemv(g, w.A, m, n, x, ax);
  const int moved = boundary_gradients(g, w, ax);  // (a reduction: the positions it moves are seen below)
  const int k = list_cone_kkt_rows(g, m, w);
  const int N = n + k;
  T* H = w.cone_hessian;
  T* C = w.cone_kkt_rows;
  copy(g, H, w.P, n * n);
  // Rows of Ā (active box rows, apex rows) are copied; a boundary block's row is Bᵀ∇φ.
  for (int a = 0; a < k; ++a) {
    const int code = w.cone_row_code[a];
    T* row = C + static_cast<std::ptrdiff_t>(a) * n;
    if (code >= 0) {
      const T* src = w.A + static_cast<std::ptrdiff_t>(code) * n;
      for (int j = g.rank(); j < n; j += g.size()) row[j] = src[j];
      continue;
    }
    const int block = -code - 1, first = cones.begin(block), d = cones.dim(block);
    const T* B = w.A + static_cast<std::ptrdiff_t>(first) * n;
    cone_tail_combination(g, n, B, d, w.cone_gradient + first, w.work_n);
    cone_gradient_row(g, n, B, w.work_n, row);
    const T lambda = max_of(w.cone_lambda[block], T(0));
    if (lambda > T(0)) add_cone_curvature(g, H, n, B, d, w.work_n, lambda / w.cone_slack_norm[block]);
  }
  for (int a = g.rank(); a < k; a += g.size()) w.cone_row_index[a] = a;
  g.sync();
  // Right-hand side: −(P̄x + q̄); the rows' residuals b − c·x (box), −φ(s) (boundary), −s (apex).
  T* rhs = w.kkt_rhs;
  gemv(g, w.P, n, n, x, w.work_n2);
  for (int j = g.rank(); j < n; j += g.size()) rhs[j] = -(w.work_n2[j] + w.q[j]);
  for (int a = g.rank(); a < k; a += g.size()) {
    const int code = w.cone_row_code[a];
    if (code >= cones.box_rows(m)) {
      rhs[n + a] = w.l[code] - ax[code];
    } else if (code >= 0) {
      rhs[n + a] = (w.active[code] < 0 ? w.l[code] : w.u[code]) - ax[code];
    } else {
      const int block = -code - 1, first = cones.begin(block);
      rhs[n + a] = (ax[first] - w.l[first]) - w.cone_slack_norm[block];  // −φ(s) = s₀ − ‖s̄‖
    }
  }
  g.sync();
  ReducedKkt<T> K;
  K.n = n;
  K.m = k;
  K.P = H;
  K.A = C;
  K.rows = k;
  K.row_index = w.cone_row_index;
  // The regularization at least 100ε: the curvature makes this matrix worse conditioned than
  // a QP's polish KKT, and a δ near rounding leaves the quasi-definite LDLᵀ unstable. In
  // float, δ = 1e-6 (8ε) had 22 of 64 random SOCPs 50×10 rejected (Newton steps diverging),
  // 1e-5 none; in double 100ε is far below the default 1e-6 and changes nothing.
  const T delta = max_of(prm.delta, T(100) * machine_epsilon<T>());
  // Solves with the factorization in w.factor, refined against K by up to `sweeps` corrections.
  auto solve_refined = [&](int sweeps) {
    auto solve = [&](T* v) { ldlt_solve(g, w.factor, N, N, v); };
    copy(g, w.kkt_sol, rhs, N);
    solve(w.kkt_sol);
    return refine_reduced_kkt(g, K, solve, sweeps, RefineFor::solution, rhs, w.kkt_sol, w.kkt_res, w.kkt_corr);
  };
  const int sweeps = chord_sweeps(N, prm.polish_refine_iterations);
  if (reuse_factor && moved == 0 && sweeps > 0) {
    const Refinement<T> chord = solve_refined(sweeps);
    if (chord.last_step <= T(10) * machine_epsilon<T>() * inf_norm(g, w.kkt_sol, N)) return k;
  }
  assemble_reduced_kkt(g, K, static_cast<const T*>(nullptr), delta, delta, w.factor);
  if (!ldlt_factor(g, w.factor, N, N, n, w.factor_scratch)) return -1;
  solve_refined(prm.polish_refine_iterations);
  return k;
}

// Block k's position as the ADMM iterate (z, y) suggests it: classify_cone_block of
// s = z − l̄ (written to w.work_m2 at the block's rows) and y.
template <class T, class Workspace>
BPQP_HD BPQP_INLINE ConePosition guessed_cone_position(Workspace& w, int k) {
  const int first = w.cones.begin(k), d = w.cones.dim(k);
  T* s = w.work_m2 + first;
  for (int r = 0; r < d; ++r) s[r] = w.z[first + r] - w.l[first + r];
  return classify_cone_block(s, w.y + first, d);
}

// The initial classification from the ADMM iterate (z, y): box rows by guessed_side, blocks
// by classify_cone_block, a boundary block's λ from −y's larger spectral value (y_k = λ∇φ
// makes it 2λ).
template <class Group, class T>
BPQP_HD void classify_iterate(const Group& g, int m, AdmmWorkspace<T>& w) {
  const ConeLayout& cones = w.cones;
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size())
    w.active[i] = guessed_side(w.z[i], w.l[i], w.u[i], w.y[i]);
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    const ConePosition position = guessed_cone_position<T>(w, k);
    w.cone_position[k] = static_cast<int>(position);
    const T y_tail = d > 1 ? cone_tail_norm(w.y + first, d) : T(0);
    w.cone_lambda[k] = position == ConePosition::boundary ? T(0.5) * (y_tail - w.y[first]) : T(0);
  }
  g.sync();
}

// The rows of the cone polish's KKT for the classification the ADMM iterate (z, y) suggests,
// classify_iterate's, counted without setting it: an active box row, a boundary block's one
// row, an apex block's d rows. Uses work_m2.
template <class T, class Group, class Workspace>
BPQP_HD int guessed_cone_kkt_rows(const Group& g, int m, Workspace& w) {
  const ConeLayout& cones = w.cones;
  T rows = T(0);
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size())
    if (guessed_side(w.z[i], w.l[i], w.u[i], w.y[i]) != 0) rows += T(1);
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const ConePosition position = guessed_cone_position<T>(w, k);
    if (position == ConePosition::boundary) rows += T(1);
    if (position == ConePosition::apex) rows += T(cones.dim(k));
  }
  return static_cast<int>(g.sum(rows));
}

// After a classification's Newton steps converged at x (Āx in ax, the last step's ν in
// w.kkt_sol[n:]): corrects it where the answer contradicts it — a box row's or boundary
// block's multiplier of the wrong sign (beyond the dual tolerance) leaves, a violated box
// row or block joins, an apex block whose multiplier left −Q becomes a boundary block — and
// returns the number of changes (0: consistent).
template <class Group, class T>
BPQP_HD int correct_cone_classification(const Group& g, int n, int m, int k, const AdmmParams<T>& prm,
                                        AdmmWorkspace<T>& w, const T* ax) {
  const ConeLayout& cones = w.cones;
  const T* nu = w.kkt_sol + n;
  T nu_max = T(0);
  for (int a = g.rank(); a < k; a += g.size()) nu_max = max_of(nu_max, abs_of(nu[a]));
  const T release_tol = prm.eps_abs + prm.eps_rel * g.max(nu_max);
  T changes = T(0);
  // Released rows are marked 2 first, so that the violation pass below does not re-add them.
  for (int a = g.rank(); a < k; a += g.size()) {
    const int code = w.cone_row_code[a];
    if (code < 0) {
      if (nu[a] < -release_tol) {
        w.cone_position[-code - 1] = static_cast<int>(ConePosition::interior);
        changes += T(1);
      }
    } else if (code < cones.box_rows(m) && !is_equality_row(w.l[code], w.u[code])) {
      const T wrong = w.active[code] < 0 ? nu[a] : -nu[a];
      if (wrong > release_tol) {
        w.active[code] = 2;
        changes += T(1);
      }
    }
  }
  g.sync();
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size()) {
    if (w.active[i] == 2) {
      w.active[i] = 0;
      continue;
    }
    if (w.active[i] != 0) continue;
    const T slack_tol = prm.eps_abs + prm.eps_rel * abs_of(ax[i]);
    if (ax[i] < w.l[i] - slack_tol) { w.active[i] = -1; changes += T(1); }
    else if (ax[i] > w.u[i] + slack_tol) { w.active[i] = 1; changes += T(1); }
  }
  for (int b = g.rank(); b < cones.count; b += g.size()) {
    const int first = cones.begin(b), d = cones.dim(b);
    T* s = w.work_m2 + first;
    for (int r = 0; r < d; ++r) s[r] = ax[first + r] - w.l[first + r];
    if (w.cone_position[b] == static_cast<int>(ConePosition::interior)) {
      const T tol = prm.eps_abs + prm.eps_rel * abs_of(s[0]);
      if (cone_violation(s, d) > tol) {
        w.cone_position[b] = static_cast<int>(d == 1 ? ConePosition::apex : ConePosition::boundary);
        w.cone_lambda[b] = T(0);
        changes += T(1);
      }
    } else if (w.cone_position[b] == static_cast<int>(ConePosition::apex) && d > 1) {
      // The apex rows' multipliers are nu at their KKT rows, in block order: find the first.
      int a0 = 0;
      while (a0 < k && w.cone_row_code[a0] != first) ++a0;
      T minus_y[2];  // −y's smaller spectral value, from its head and tail norm
      minus_y[0] = -nu[a0];
      T tail = T(0), largest = T(0);
      for (int r = 1; r < d; ++r) largest = max_of(largest, abs_of(nu[a0 + r]));
      if (largest > T(0))
        for (int r = 1; r < d; ++r) tail += (nu[a0 + r] / largest) * (nu[a0 + r] / largest);
      minus_y[1] = largest * square_root(tail);
      if (minus_y[0] - minus_y[1] < -release_tol) {
        w.cone_position[b] = static_cast<int>(ConePosition::boundary);
        w.cone_lambda[b] = T(0.5) * (minus_y[0] + minus_y[1]);
        changes += T(1);
      }
    }
  }
  return static_cast<int>(g.sum(changes));
}

// Polishes the scaled ADMM point of a problem with cone blocks (see the top of the file).
// On success the candidate replaces w.x, w.z, w.y and its residuals go to *out.
template <class Group, class T>
BPQP_HD bool polish_with_cones(const Group& g, int n, int m, const AdmmParams<T>& prm, AdmmWorkspace<T>& w,
                               Residuals<T>* out) {
  const ConeLayout& cones = w.cones;
  const T eps = machine_epsilon<T>();
  classify_iterate(g, m, w);
  T* x = w.x_tilde;
  T* ax = w.z_tilde;
  copy(g, x, w.x, n);
  // Newton steps, each followed by the classification's correction: a classification that
  // changes restarts the convergence test (its conditions are other equations), one that
  // holds ends the polish once a step reaches rounding level or no longer halves. Correcting
  // after every step, not after a converged round: from ADMM's 25th iterate the guessed
  // active set of random SOCPs 100×20 lost a few rows, and converging each of its three
  // rounds took 16 factorizations, against 6–7 this way.
  int k = 0;
  T previous = infinity<T>();
  int changes_before = m + 1, steps_without_progress = 0;
  const int max_steps = cone_polish_newton_steps + prm.polish_active_set_rounds;
  for (int step = 0;; ++step) {
    if (step >= max_steps) return false;
    // previous is finite after a step that changed nothing and still converged.
    k = cone_newton_step(g, n, m, prm, w, x, previous < infinity<T>());
    if (k < 0) return false;
    const T dx = inf_norm(g, w.kkt_sol, n);
    for (int j = g.rank(); j < n; j += g.size()) x[j] += w.kkt_sol[j];
    for (int a = g.rank(); a < k; a += g.size())
      if (w.cone_row_code[a] < 0) w.cone_lambda[-w.cone_row_code[a] - 1] = w.kkt_sol[n + a];
    g.sync();
    gemv(g, w.A, m, n, x, ax);
    const int changes = correct_cone_classification(g, n, m, k, prm, w, ax);
    if (changes > 0) {
      // A correction that does not shrink the changes twice running is cycling (as
      // polish_solution's rule): give up.
      if (changes < changes_before) steps_without_progress = 0;
      else if (++steps_without_progress >= 2) return false;
      changes_before = changes;
      previous = infinity<T>();
      continue;
    }
    // Without boundary blocks the conditions are linear: one step solves them.
    T boundary = T(0);
    for (int b = g.rank(); b < cones.count; b += g.size())
      if (w.cone_position[b] == static_cast<int>(ConePosition::boundary)) boundary = T(1);
    const bool linear = g.max(boundary) == T(0);
    // Newton's error squares each step: after a step of √ε (relative), what is left is at
    // rounding level, and the step that would confirm it (random SOCPs 100×20: 1.7e-11 then
    // 7e-17) is not taken.
    const T size = T(1) + inf_norm(g, x, n);
    if (linear || !(dx > square_root(eps) * size) || !(dx <= T(0.5) * previous)) break;
    previous = dx;
  }

  // Candidate point: box rows as polish_solution builds them; a boundary block's z on its
  // cone (l̄ + Π(s)) with y = λ∇φ there, an apex block's z = l̄ with y = ν, an interior
  // block's z = l̄ + Π(s) with y = 0.
  T* z = ax;  // Āx, turned into z in place
  T* y = w.kkt_res;
  const T* nu = w.kkt_sol + n;
  fill(g, y, m, T(0));
  for (int a = g.rank(); a < k; a += g.size()) {
    const int code = w.cone_row_code[a];
    if (code >= cones.box_rows(m)) y[code] = nu[a];  // apex rows
    if (code < 0 || code >= cones.box_rows(m)) continue;
    const bool wrong_sign = !is_equality_row(w.l[code], w.u[code]) &&
                            ((w.active[code] < 0 && nu[a] > T(0)) || (w.active[code] > 0 && nu[a] < T(0)));
    if (!wrong_sign) y[code] = nu[a];
  }
  g.sync();
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size()) {
    const T yi = y[i];
    if (yi > T(0) || yi < T(0)) z[i] = w.active[i] < 0 ? w.l[i] : w.u[i];
    else z[i] = clamp_to(z[i], w.l[i], w.u[i]);
  }
  for (int b = g.rank(); b < cones.count; b += g.size()) {
    const int first = cones.begin(b), d = cones.dim(b);
    if (w.cone_position[b] == static_cast<int>(ConePosition::apex)) {
      // y_k ∈ −Q (rounding can leave ν just outside): −Π_Q(−ν); the residuals see the change.
      for (int r = first; r < first + d; ++r) {
        z[r] = w.l[r];
        y[r] = -y[r];
      }
      project_onto_cone(y + first, d);
      for (int r = first; r < first + d; ++r) y[r] = -y[r];
      continue;
    }
    for (int r = first; r < first + d; ++r) z[r] -= w.l[r];
    project_onto_cone(z + first, d);
    if (w.cone_position[b] == static_cast<int>(ConePosition::boundary) && d > 1) {
      const T lambda = max_of(w.cone_lambda[b], T(0));
      cone_boundary_gradient(z + first, d, y + first);
      for (int r = first; r < first + d; ++r) y[r] *= lambda;
    }
    for (int r = first; r < first + d; ++r) z[r] += w.l[r];
  }
  g.sync();
  return accept_if_converged(g, n, m, prm, w, x, z, y, out);
}

// The polish a point takes: the cone polish for a problem with cone blocks, OSQP's otherwise.
template <class Group, class T>
BPQP_HD bool polish_point(const Group& g, int n, int m, const AdmmParams<T>& prm, AdmmWorkspace<T>& w,
                          Residuals<T>* out) {
  return w.cones.any() ? polish_with_cones(g, n, m, prm, w, out) : polish_solution(g, n, m, prm, w, out);
}

}  // namespace bpqp::kernels
