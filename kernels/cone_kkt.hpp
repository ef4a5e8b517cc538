// What a cone block on its boundary adds to a reduced KKT (../shared/SOCP.md): the block's
// rows B (d×n) and slack s = Bx − l on the boundary of Q are one smooth constraint
// φ(s) = ‖s̄‖ − s₀ ≤ 0 with multiplier λ, so the KKT matrix gets
//   the row        Bᵀ∇φ        = −B₀ + Σ_{r≥1} ŝ_r B_r           (∇φ = (−1, ŝ), ŝ = s̄/‖s̄‖)
//   the curvature  λBᵀ∇²φ B    = (λ/‖s̄‖)(Σ_{r≥1} B_rᵀB_r − vvᵀ),  v = Σ_{r≥1} ŝ_r B_r,
// in its P block. The cone polish (scaled data) and the backward (the user's data) build
// their Newton and reduced KKT matrices with these.
#pragma once

#include "kernels/config.hpp"

namespace bpqp::kernels {

// v = Σ_{r≥1} gradient_r B_r (n entries): the tail of Bᵀ∇φ.
template <class Group, class T>
BPQP_HD void cone_tail_combination(const Group& g, int n, const T* B, int d, const T* gradient, T* v) {
  for (int j = g.rank(); j < n; j += g.size()) {
    T sum = T(0);
    for (int r = 1; r < d; ++r) sum += gradient[r] * B[static_cast<std::ptrdiff_t>(r) * n + j];
    v[j] = sum;
  }
  g.sync();
}

// row = Bᵀ∇φ = −B₀ + v, for v from cone_tail_combination.
template <class Group, class T>
BPQP_HD void cone_gradient_row(const Group& g, int n, const T* B, const T* v, T* row) {
  for (int j = g.rank(); j < n; j += g.size()) row[j] = v[j] - B[j];
  g.sync();
}

// H += coef·(Σ_{r≥1} B_rᵀB_r − vvᵀ) on both triangles of the n×n H (coef = λ/‖s̄‖).
template <class Group, class T>
BPQP_HD void add_cone_curvature(const Group& g, T* H, int n, const T* B, int d, const T* v, T coef) {
  for (int i = g.rank(); i < n; i += g.size()) {
    T* row = H + static_cast<std::ptrdiff_t>(i) * n;
    const T vi = coef * v[i];
    for (int j = 0; j < n; ++j) row[j] -= vi * v[j];
    for (int r = 1; r < d; ++r) {
      const T* b = B + static_cast<std::ptrdiff_t>(r) * n;
      const T bi = coef * b[i];
      if (bi == T(0)) continue;
      for (int j = 0; j < n; ++j) row[j] += bi * b[j];
    }
  }
  g.sync();
}

}  // namespace bpqp::kernels
