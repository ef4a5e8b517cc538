// The backward pass's cone blocks (BPQP's reduced system extended to cones; DESIGN.md §1,
// ../shared/SOCP.md). In a block's cone coordinates (Â = R A_k, l̂ = R l_k, ŷ = R y_k with R
// the rotated cone's involution, the identity otherwise) and with s = Âx − l̂:
//   interior (y_k ≈ 0):   the block drops out;
//   boundary:             one smooth active constraint φ(s) = ‖s̄‖ − s₀ with multiplier λ
//                         (ŷ = λ∇φ): the reduced KKT gets the row Âᵀ∇φ and the curvature
//                         λÂᵀ∇²φÂ in its P block (kernels/cone_kkt.hpp);
//   apex (s = 0):         every row of the block is an equality row.
// Differentiating the KKT conditions of that classification (the derivation is the box rows'
// one with these rows; the tests' finite differences are the authority) gives, with
// [dx; v] the reduced KKT's solution for [−g; −h] (g = ∂L/∂x, h the rows' ∂L/∂y):
//   boundary:  r̂ = λ∇²φ(Â dx + ĥ) + v∇φ      (ĥ = R·∂L/∂y_k; ∂L/∂y also adds λÂᵀ∇²φĥ to g
//                                              and ĥᵀ∇φ to the block's row of h)
//   apex:      r̂ = v (the block's d multipliers)
// and then, for every row of the block, exactly the box rows' formulas with w = R r̂:
//   ∂L/∂A_k = w xᵀ + y_k dxᵀ,   ∂L/∂l_k = −w,   ∂L/∂u_k = 0.
#pragma once

#include "kernels/backward_workspace.hpp"
#include "kernels/cone_kkt.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/reduced_kkt.hpp"
#include "kernels/second_order_cone.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

// BackwardWorkspace::active's mark for the rows of a cone block (box rows: 0 or 1).
constexpr int cone_row_kind = 3;

// The reduced KKT the backward solves and its right-hand side [−g; −h]: P and the rows
// (kernels/reduced_kkt.hpp, unscaled), g (n) and h (one per row, or null for h = 0).
template <class T>
struct BackwardSystem {
  ReducedKkt<T> kkt;
  const T* g = nullptr;
  const T* h = nullptr;
  bool with_cones = false;  // built by cone_backward_system (see solve_backward_direct's δ)
};

// Copies each block's rows, slack, dual and ∂L/∂y into the workspace in its cone's
// coordinates (internal order: kernels/cone_layout.hpp), classifies the block and sets y*
// on 𝒜 (y_active) for its rows. tol = τ(1 + ‖y‖∞) as for box rows: the multiplier's larger
// spectral value must exceed it for the block to count (a weakly active block is interior,
// as a weakly active row is inactive); s̄ has vanished when ‖s̄‖ ≤ τ(1 + the slack's scale).
// Returns 1 when a block is degenerate (classified
// apex with −y on the boundary of Q, or boundary with a slack s̄ that vanished: both become
// apex blocks, all rows pinned), else 0 (uniform).
template <class Group, class T>
BPQP_HD int classify_cone_blocks(const Group& g, const ProblemView<T>& p, const T* x, const T* y, const T* dl_dy,
                                 T tau, T tol, BackwardWorkspace<T>& w) {
  const int n = p.n, m = p.m;
  const ConeLayout& cones = p.cones;
  const int box_rows = cones.box_rows(m);
  for (int r = box_rows; r < m; ++r) {
    const T* src = p.A + static_cast<std::ptrdiff_t>(cones.user_row(r)) * n;
    T* dst = w.cone_A + static_cast<std::ptrdiff_t>(r) * n;
    for (int j = g.rank(); j < n; j += g.size()) dst[j] = src[j];
  }
  for (int r = box_rows + g.rank(); r < m; r += g.size()) {
    const int i = cones.user_row(r);
    const T* a = p.A + static_cast<std::ptrdiff_t>(i) * n;
    w.cone_s[r] = strided_dot(a, x, 0, n, 1) - p.l[i];
    w.cone_y[r] = y[i];
    w.cone_h[r] = dl_dy ? dl_dy[i] : T(0);
    w.active[i] = cone_row_kind;
  }
  g.sync();
  T degenerate = T(0);
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k), user_first = cones.blocks[k].first_row;
    if (cones.rotated(k)) {
      T* a0 = w.cone_A + static_cast<std::ptrdiff_t>(first) * n;
      for (int j = 0; j < n; ++j) rotate_cone_pair(a0[j], a0[n + j]);
      rotate_cone_pair(w.cone_s[first], w.cone_s[first + 1]);
      rotate_cone_pair(w.cone_y[first], w.cone_y[first + 1]);
      rotate_cone_pair(w.cone_h[first], w.cone_h[first + 1]);
    }
    const T* s = w.cone_s + first;
    const T* yk = w.cone_y + first;
    // −ŷ's spectral values −ŷ₀ ± ‖ŷ̄‖ (kernels/second_order_cone.hpp).
    const T y_tail = d > 1 ? cone_tail_norm(yk, d) : T(0);
    const T high = -yk[0] + y_tail, low = -yk[0] - y_tail;
    ConePosition position = ConePosition::interior;
    if (high > tol) position = (d == 1 || low > tol) ? ConePosition::apex : ConePosition::boundary;
    T lambda = T(0), norm = T(0);
    if (position == ConePosition::boundary) {
      norm = cone_boundary_gradient(s, d, w.cone_gradient + first);
      lambda = T(0.5) * high;
      // The slack's own scale: the terms of Âx − l̂, so that "s̄ vanished" is relative.
      T scale = T(0);
      for (int r = 0; r < d; ++r) scale = max_of(scale, abs_of(w.cone_s[first + r]) + abs_of(p.l[user_first + r]));
      if (!(norm > tau * (T(1) + scale))) {
        position = ConePosition::apex;
        degenerate = T(1);
      }
    } else if (position == ConePosition::apex && d > 1 && !(low > T(100) * tol)) {
      degenerate = T(1);  // −y barely inside Q: at the apex, but nearly a boundary block
    }
    w.cone_position[k] = static_cast<int>(position);
    w.cone_lambda[k] = lambda;
    w.cone_norm[k] = norm;
    for (int r = 0; r < d; ++r) w.y_active[user_first + r] = position == ConePosition::interior ? T(0) : y[user_first + r];
  }
  return g.max(degenerate) > T(0) ? 1 : 0;
}

// The reduced KKT with cone blocks: the box rows of 𝒜 (k_box of them, in w.active_rows)
// first, then a row per boundary block and the rows of every apex block; P plus the boundary
// blocks' curvature; g and h with the boundary blocks' ∂L/∂y folded in (see the top).
template <class Group, class T>
BPQP_HD BackwardSystem<T> cone_backward_system(const Group& g, const ProblemView<T>& p, const T* dl_dx,
                                               const T* dl_dy, int k_box, BackwardWorkspace<T>& w) {
  const int n = p.n;
  const ConeLayout& cones = p.cones;
  if (g.rank() == 0) {
    int next = k_box;
    for (int k = 0; k < cones.count; ++k) {
      w.cone_kkt_row[k] = next;
      const ConePosition position = static_cast<ConePosition>(w.cone_position[k]);
      next += position == ConePosition::boundary ? 1 : position == ConePosition::apex ? cones.dim(k) : 0;
    }
    w.scalars[1] = T(next);
  }
  g.sync();
  const int rows = static_cast<int>(w.scalars[1]);
  copy(g, w.hessian, p.P, n * n);
  copy(g, w.g_eff, dl_dx, n);
  for (int a = 0; a < k_box; ++a) {
    const T* src = p.A + static_cast<std::ptrdiff_t>(w.active_rows[a]) * n;
    T* dst = w.kkt_rows + static_cast<std::ptrdiff_t>(a) * n;
    for (int j = g.rank(); j < n; j += g.size()) dst[j] = src[j];
  }
  for (int a = g.rank(); a < k_box; a += g.size()) w.h_rows[a] = dl_dy ? dl_dy[w.active_rows[a]] : T(0);
  for (int a = g.rank(); a < rows; a += g.size()) w.row_index[a] = a;
  g.sync();
  for (int k = 0; k < cones.count; ++k) {  // every thread, block by block: the helpers are group-wide
    const ConePosition position = static_cast<ConePosition>(w.cone_position[k]);
    const int first = cones.begin(k), d = cones.dim(k), row = w.cone_kkt_row[k];
    const T* B = w.cone_A + static_cast<std::ptrdiff_t>(first) * n;
    if (position == ConePosition::apex) {
      for (int r = 0; r < d; ++r) {
        T* dst = w.kkt_rows + static_cast<std::ptrdiff_t>(row + r) * n;
        for (int j = g.rank(); j < n; j += g.size()) dst[j] = B[static_cast<std::ptrdiff_t>(r) * n + j];
      }
      for (int r = g.rank(); r < d; r += g.size()) w.h_rows[row + r] = w.cone_h[first + r];
      g.sync();
    } else if (position == ConePosition::boundary) {
      const T* grad = w.cone_gradient + first;
      T* v = w.dx;  // scratch (n): the solve has not started
      cone_tail_combination(g, n, B, d, grad, v);
      cone_gradient_row(g, n, B, v, w.kkt_rows + static_cast<std::ptrdiff_t>(row) * n);
      const T coef = w.cone_lambda[k] / w.cone_norm[k];
      add_cone_curvature(g, w.hessian, n, B, d, v, coef);
      // ∂L/∂ŷ through ŷ = λ∇φ(s): ĥᵀ∇φ on the block's row, λÂᵀ∇²φĥ into g.
      T along = T(0);
      for (int r = 0; r < d; ++r) along += grad[r] * w.cone_h[first + r];
      if (g.rank() == 0) w.h_rows[row] = along;
      if (dl_dy) {
        T* curved = w.multipliers;  // scratch (d entries): ∇²φ ĥ
        if (g.rank() == 0) {
          for (int r = 0; r < d; ++r) curved[r] = w.cone_h[first + r];
          apply_cone_curvature(grad, w.cone_norm[k], d, curved);
        }
        g.sync();
        const T lambda = w.cone_lambda[k];
        for (int j = g.rank(); j < n; j += g.size()) {
          T sum = T(0);
          for (int r = 1; r < d; ++r) sum += B[static_cast<std::ptrdiff_t>(r) * n + j] * curved[r];
          w.g_eff[j] += lambda * sum;
        }
      }
      g.sync();
    }
  }
  BackwardSystem<T> sys;
  sys.kkt.n = n;
  sys.kkt.m = rows;
  sys.kkt.P = w.hessian;
  sys.kkt.A = w.kkt_rows;
  sys.kkt.rows = rows;
  sys.kkt.row_index = w.row_index;
  sys.g = w.g_eff;
  sys.h = w.h_rows;
  sys.with_cones = true;
  return sys;
}

// The backward's multipliers w of a cone block's rows (in the user's order, the user's
// coordinates), from dx and the reduced KKT's multipliers (w.multipliers; see the top).
template <class Group, class T>
BPQP_HD void cone_row_multipliers(const Group& g, const ProblemView<T>& p, const T* dx, BackwardWorkspace<T>& w) {
  const int n = p.n;
  const ConeLayout& cones = p.cones;
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k), user_first = cones.blocks[k].first_row;
    const ConePosition position = static_cast<ConePosition>(w.cone_position[k]);
    T* r_hat = w.w + user_first;  // built in cone coordinates, rotated back below
    if (position == ConePosition::interior) {
      for (int r = 0; r < d; ++r) r_hat[r] = T(0);
      continue;
    }
    const int row = w.cone_kkt_row[k];
    if (position == ConePosition::apex) {
      for (int r = 0; r < d; ++r) r_hat[r] = w.multipliers[row + r];
    } else {
      const T* grad = w.cone_gradient + first;
      for (int r = 0; r < d; ++r)
        r_hat[r] = strided_dot(w.cone_A + static_cast<std::ptrdiff_t>(first + r) * n, dx, 0, n, 1) + w.cone_h[first + r];
      apply_cone_curvature(grad, w.cone_norm[k], d, r_hat);
      const T lambda = w.cone_lambda[k], v = w.multipliers[row];
      for (int r = 0; r < d; ++r) r_hat[r] = lambda * r_hat[r] + v * grad[r];
    }
    if (cones.rotated(k)) rotate_cone_pair(r_hat[0], r_hat[1]);
  }
  g.sync();
}

}  // namespace bpqp::kernels
