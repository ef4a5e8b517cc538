// The one matrix shape every factorization of the forward solve uses:
//   [P̄ + shift·I + Āᵀdiag(weights)Ā,  Ā_Rᵀ;  Ā_R,  −delta·I]
// with R the first n_rows entries of w.active_rows. ADMM's reduced system is
// (shift σ, weights ρ, no rows); polishing's reduced KKT is (shift δ, no
// weights, the active rows); the interior point's Newton matrix is (shift ε,
// weights λ/s, the equality rows). The lower triangle goes to w.factor with
// leading dimension n + n_rows.
#pragma once

#include "kernels/admm_workspace.hpp"

namespace bpqp::kernels {

template <class Group, class T>
BPQP_HD void assemble_quasidefinite(const Group& g, int n, int m, int n_rows, T shift, const T* weights, T delta,
                                    AdmmWorkspace<T>& w) {
  const int N = n + n_rows;
  for (int i = g.rank(); i < N; i += g.size()) {
    T* row = w.factor + static_cast<std::ptrdiff_t>(i) * N;
    if (i < n) {
      for (int j = 0; j < i; ++j) row[j] = w.P[i * n + j];
      row[i] = w.P[i * n + i] + shift;
      // Āᵀdiag(weights)Ā one rank-one term per row of Ā, restricted to this output row
      // (row-contiguous), four rows of Ā per pass over the output row.
      auto a_row = [&](int r) { return w.A + static_cast<std::ptrdiff_t>(r) * n; };
      int r = 0;
      for (; weights && r + 4 <= m; r += 4) {
        const T *a0 = a_row(r), *a1 = a_row(r + 1), *a2 = a_row(r + 2), *a3 = a_row(r + 3);
        const T c0 = weights[r] * a0[i], c1 = weights[r + 1] * a1[i], c2 = weights[r + 2] * a2[i],
                c3 = weights[r + 3] * a3[i];
        if (c0 == T(0) && c1 == T(0) && c2 == T(0) && c3 == T(0)) continue;
        for (int j = 0; j <= i; ++j) row[j] += c0 * a0[j] + c1 * a1[j] + c2 * a2[j] + c3 * a3[j];
      }
      for (; weights && r < m; ++r) {
        const T* a = a_row(r);
        const T coef = weights[r] * a[i];
        if (coef == T(0)) continue;
        for (int j = 0; j <= i; ++j) row[j] += coef * a[j];
      }
    } else {
      const T* a = w.A + static_cast<std::ptrdiff_t>(w.active_rows[i - n]) * n;
      for (int j = 0; j < n; ++j) row[j] = a[j];
      for (int j = n; j < i; ++j) row[j] = T(0);
      row[i] = -delta;
    }
  }
  g.sync();
}

}  // namespace bpqp::kernels
