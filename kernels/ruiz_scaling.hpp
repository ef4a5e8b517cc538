// Modified Ruiz equilibration of the KKT matrix [P Aᵀ; A 0] plus cost scaling
// (OSQP paper §5.1, Algorithm 2): D and E make the columns of the KKT matrix
// of similar inf-norm, c brings the cost to unit size. The scaled problem is
//   P̄ = c·D P D,  q̄ = c·D q,  Ā = E A D,  l̄ = E l,  ū = E u,
// and its solution maps back as x = D x̄, y = E ȳ / c.
#pragma once

#include "kernels/admm_workspace.hpp"
#include "kernels/bounds.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/second_order_cone.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

// A norm for one Ruiz pass — a row's, a column's, or the cost's — clamped to [1e-4, 1e4],
// so that no pass scales by more than 100 (10⁴ for the cost) and the passes compound it;
// 1 for an empty one (norm ≤ 1e-30, which also keeps the factors finite in float).
// OSQP's rule leaves a norm below 1e-4 unscaled. For rows and columns, a column of 1e-6
// then kept it: an LP whose columns span twelve decades stalled in the interior point (the
// dual residual of the smallest columns' variables at 1e-8 scaled) and all 20 tried ended at
// max_iterations. For the cost, so small a P̄ stayed that the fixed σ of the x-update and δ
// of polishing dominated it; clamped, c reaches 1/‖cost‖ over the passes.
template <class T>
BPQP_HD BPQP_INLINE T limit_scaling(T norm) {
  const T zero = T(1e-30), min_scaling = T(1e-4), max_scaling = T(1e4);
  return norm > zero ? clamp_to(norm, min_scaling, max_scaling) : T(1);
}

// A bound scaled by e; infinite bounds (|v| ≥ 1e20) become IEEE ±inf so that
// projections and infeasibility tests need no special cases.
template <class T>
BPQP_HD BPQP_INLINE T scale_bound(T v, T e) {
  if (is_infinite_bound(v)) return v > T(0) ? infinity<T>() : -infinity<T>();
  return e * v;
}

// One pass over P per iteration (P is the largest array): the cost scaling γ of an iteration
// is held back and folded into the next iteration's D-scaling pass, which also takes the
// rows' norms for the next column norms and the cost's mean; so the stored P̄ is P̄/γ between
// iterations (row_norm likewise), and a last pass applies the final γ.
// Ā ← A in the internal row order (kernels/cone_layout.hpp), a rotated block's first two rows
// already in the coordinates where its cone is Q (rotate_cone_pair).
template <class Group, class T>
BPQP_HD void copy_rows_in_internal_order(const Group& g, const ProblemView<T>& p, T* A) {
  const int n = p.n, m = p.m;
  const ConeLayout& cones = p.cones;
  if (!cones.row_order) {
    copy(g, A, p.A, n * m);
    return;
  }
  for (int r = 0; r < m; ++r) {
    const T* src = p.A + static_cast<std::ptrdiff_t>(cones.user_row(r)) * n;
    T* dst = A + static_cast<std::ptrdiff_t>(r) * n;
    for (int j = g.rank(); j < n; j += g.size()) dst[j] = src[j];
  }
  for (int k = 0; k < cones.count; ++k) {
    if (!cones.rotated(k)) continue;
    T* t_row = A + static_cast<std::ptrdiff_t>(cones.begin(k)) * n;
    for (int j = g.rank(); j < n; j += g.size()) rotate_cone_pair(t_row[j], t_row[n + j]);
  }
  g.sync();
}

// A cone block's rows share one scaling factor (a row-varying factor would change the set
// the rows must lie in): every row of block k takes the factor of the block's largest row
// norm, so that no row of it ends above the others' target (SCS's choice).
template <class Group, class T>
BPQP_HD void unify_block_factors(const Group& g, const ConeLayout& cones, const T* row_norm, T* factor) {
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    T largest = T(0);
    for (int r = cones.begin(k); r < cones.begin(k + 1); ++r) largest = max_of(largest, row_norm[r]);
    const T common = T(1) / square_root(limit_scaling(largest));
    for (int r = cones.begin(k); r < cones.begin(k + 1); ++r) factor[r] = common;
  }
  g.sync();
}

template <class Group, class T>
BPQP_HD void ruiz_equilibrate(const Group& g, const ProblemView<T>& p, int iterations, AdmmWorkspace<T>& w) {
  const int n = p.n, m = p.m;
  copy_rows_in_internal_order(g, p, w.A);
  copy(g, w.q, p.q, n);
  fill(g, w.D, n, T(1));
  fill(g, w.E, m, T(1));
  T* row_norm = w.work_n2;  // ‖row j of the stored P‖∞ (P is symmetric: also column j)
  for (int i = g.rank(); i < n; i += g.size()) {
    const T* src = p.P + static_cast<std::ptrdiff_t>(i) * n;
    T* dst = w.P + static_cast<std::ptrdiff_t>(i) * n;
    for (int k = 0; k < n; ++k) dst[k] = src[k];
    row_norm[i] = strided_max_abs(dst, n, 1);
  }
  T c = T(1);
  T pending = T(1);  // the cost scaling not yet applied to the stored P
  for (int it = 0; it < iterations; ++it) {
    // Column j of the KKT matrix is (P_:j, A_:j): row j's norm of P (× the pending γ) and A's
    // column gathered row by row, each thread keeping its own columns' maxima: rows are
    // contiguous on a CPU (the inner loop vectorizes) and coalesced across a GPU group.
    for (int j = g.rank(); j < n; j += g.size()) w.work_n[j] = pending * row_norm[j];
    for (int i = 0; i < m; ++i) {
      const T* row = w.A + static_cast<std::ptrdiff_t>(i) * n;
      for (int j = g.rank(); j < n; j += g.size()) w.work_n[j] = max_of(w.work_n[j], abs_of(row[j]));
    }
    for (int j = g.rank(); j < n; j += g.size()) w.work_n[j] = T(1) / square_root(limit_scaling(w.work_n[j]));
    for (int i = g.rank(); i < m; i += g.size()) {
      const T norm = strided_max_abs(w.A + i * n, n, 1);
      w.work_m[i] = T(1) / square_root(limit_scaling(norm));
      if (p.cones.any()) w.work_m2[i] = norm;
    }
    g.sync();
    if (p.cones.any()) unify_block_factors(g, p.cones, w.work_m2, w.work_m);
    const T* delta = w.work_n;
    const T* epsilon = w.work_m;
    // P̄ ← γ_pending·Δ P̄ Δ with its row norms taken again; q̄ ← γ_pending·Δ q̄ (c already holds γ_pending).
    T col_sum = T(0);
    for (int i = g.rank(); i < n; i += g.size()) {
      T* row = w.P + static_cast<std::ptrdiff_t>(i) * n;
      const T row_factor = pending * delta[i];
      for (int k = 0; k < n; ++k) row[k] *= row_factor * delta[k];
      row_norm[i] = strided_max_abs(row, n, 1);
      col_sum += row_norm[i];
      w.q[i] *= row_factor;
      w.D[i] *= delta[i];
    }
    for (int i = g.rank(); i < m; i += g.size()) {
      for (int k = 0; k < n; ++k) w.A[i * n + k] *= epsilon[i] * delta[k];
      w.E[i] *= epsilon[i];
    }
    g.sync();
    // Cost scaling: the mean column norm of P̄, or ‖q̄‖∞ if larger, goes to 1 (held back, above).
    const T mean_col = g.sum(col_sum) / T(n > 0 ? n : 1);
    pending = T(1) / limit_scaling(max_of(mean_col, inf_norm(g, w.q, n)));
    c *= pending;
  }
  for (int k = g.rank(); k < n * n; k += g.size()) w.P[k] *= pending;
  for (int j = g.rank(); j < n; j += g.size()) w.q[j] *= pending;
  g.sync();
  const int box_rows = p.cones.box_rows(m);
  for (int r = g.rank(); r < m; r += g.size()) {
    const int i = p.cones.user_row(r);
    w.l[r] = scale_bound(p.l[i], w.E[r]);
    w.u[r] = r < box_rows ? scale_bound(p.u[i], w.E[r]) : infinity<T>();  // a cone row's u is +inf
    w.E_inv[r] = T(1) / w.E[r];
  }
  for (int j = g.rank(); j < n; j += g.size()) w.D_inv[j] = T(1) / w.D[j];
  if (g.rank() == 0) w.scalars[0] = c;
  g.sync();
  // A rotated block's offset moves with its rows (the factor is common to both).
  for (int k = g.rank(); k < p.cones.count; k += g.size())
    if (p.cones.rotated(k)) rotate_cone_pair(w.l[p.cones.begin(k)], w.l[p.cones.begin(k) + 1]);
  g.sync();
}

}  // namespace bpqp::kernels
