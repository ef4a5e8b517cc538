// Dense LDLᵀ without pivoting, in place, for the quasi-definite matrices bpqp
// factors: the ADMM reduced matrix P + σI + Aᵀdiag(ρ)A (positive definite) and
// the regularized KKT [P+δI, Aᵀ; A, -δI] of polishing and the backward pass.
// Quasi-definite matrices are strongly factorizable (Vanderbei 1995): every
// symmetric permutation has an LDLᵀ with D of fixed signs, so no pivoting is
// needed — which keeps the factorization branch-free across a thread group.
//
// Storage: N×N row-major with leading dimension ld; only the lower triangle is
// read. On return the strict lower triangle holds L (unit diagonal implied)
// and the diagonal holds D.
#pragma once

#include "kernels/config.hpp"

namespace bpqp::kernels {

// Factors in place. `expected_positive` pivots (the leading block) must be
// > 0 and the rest < 0; returns false at the first pivot with the wrong sign
// or a non-finite value. scratch holds N entries. The result is uniform across
// the group (every thread reads the same pivot after a sync).
template <class Group, class T>
BPQP_HD bool ldlt_factor(const Group& g, T* K, int N, int ld, int expected_positive, T* scratch) {
  for (int j = 0; j < N; ++j) {
    const T d = K[static_cast<std::ptrdiff_t>(j) * ld + j];
    const bool sign_ok = j < expected_positive ? d > T(0) : d < T(0);
    if (!sign_ok || !is_finite(d)) return false;
    // scratch[k] keeps the updated column entry before division: the trailing
    // update a_ik -= l_ij d_j l_kj becomes a_ik -= l_ij * scratch[k], row-contiguous.
    for (int k = j + 1 + g.rank(); k < N; k += g.size()) {
      T& entry = K[static_cast<std::ptrdiff_t>(k) * ld + j];
      scratch[k] = entry;
      entry /= d;
    }
    g.sync();
    for (int i = j + 1 + g.rank(); i < N; i += g.size()) {
      T* row = K + static_cast<std::ptrdiff_t>(i) * ld;
      const T lij = row[j];
      if (lij == T(0)) continue;  // structurally sparse data (e.g. Maros–Mészáros) skips most updates
      for (int k = j + 1; k <= i; ++k) row[k] -= lij * scratch[k];
    }
    g.sync();
  }
  return true;
}

// Solves L D Lᵀ x = b in place (x holds b on entry). Both sweeps read rows of
// L contiguously: the forward one as row dot products, the backward one as
// row axpys (Lᵀ's columns are L's rows).
template <class Group, class T>
BPQP_HD void ldlt_solve(const Group& g, const T* LD, int N, int ld, T* x) {
  for (int i = 0; i < N; ++i) {
    const T* row = LD + static_cast<std::ptrdiff_t>(i) * ld;
    const T total = g.sum(strided_dot(row, x, g.rank(), i, g.size()));
    if (g.rank() == 0) x[i] -= total;
    g.sync();
  }
  for (int i = g.rank(); i < N; i += g.size()) x[i] /= LD[static_cast<std::ptrdiff_t>(i) * ld + i];
  g.sync();
  for (int i = N - 1; i > 0; --i) {
    const T* row = LD + static_cast<std::ptrdiff_t>(i) * ld;
    const T xi = x[i];
    for (int k = g.rank(); k < i; k += g.size()) x[k] -= row[k] * xi;
    g.sync();
  }
}

}  // namespace bpqp::kernels
