// Dense LDLᵀ without pivoting, in place, for the quasi-definite matrices bpqp
// factors: the ADMM reduced matrix P + σI + Aᵀdiag(ρ)A (positive definite) and
// the regularized KKT [P+δI, Aᵀ; A, -δI] of polishing and the backward pass.
// Quasi-definite matrices are strongly factorizable (Vanderbei 1995): every
// symmetric permutation has an LDLᵀ with D of fixed signs, so no pivoting is
// needed — which keeps the factorization branch-free across a thread group.
//
// Storage: N×N row-major with leading dimension ld; only the lower triangle is
// read. On return the strict lower triangle holds L (unit diagonal implied),
// the diagonal holds D, and the strict upper triangle holds Lᵀ: both sweeps of a
// solve then walk contiguous rows as axpys (no dot products, whose short early
// rows cost a reduction each, on a CPU and across a GPU group alike).
#pragma once

#include "kernels/scalar_math.hpp"

namespace bpqp::kernels {

// Factors in place. `expected_positive` pivots (the leading block) must be
// > 0 and the rest < 0; returns false at the first pivot with the wrong sign
// or a non-finite value. scratch (N entries) receives the pivots. The result is
// uniform across the group (every thread reads the same pivot after a sync).
//
// Right-looking in panels of four columns: the panel's 4×4 diagonal block is
// factored by one thread; every row below it then gets its four entries of L
// by a forward substitution with that block (rows independent: parallel), and
// the trailing matrix takes the panel's rank-four update in one pass,
// K_ik −= Σ_r L_i,j+r d_j+r L_k,j+r — a quarter of the loads and stores of four
// rank-one passes, which bound a CPU here, and a quarter of a GPU group's syncs.
template <class Group, class T>
BPQP_HD bool ldlt_factor(const Group& g, T* K, int N, int ld, int expected_positive, T* scratch) {
  auto line = [&](int r) { return K + static_cast<std::ptrdiff_t>(r) * ld; };
  for (int j = 0; j < N; j += 4) {
    const int end = j + 4 < N ? j + 4 : N;
    // The diagonal block, by one thread; its pivots go to scratch (up to the first bad one).
    if (g.rank() == 0) {
      for (int c = j; c < end; ++c) {
        const T d = line(c)[c];
        scratch[c] = d;
        const bool sign_ok = c < expected_positive ? d > T(0) : d < T(0);
        if (!sign_ok || !is_finite(d)) break;
        for (int r = c + 1; r < end; ++r) {
          T* row = line(r);
          const T l = row[c] / d;
          row[c] = l;
          line(c)[r] = l;
          for (int c2 = c + 1; c2 <= r; ++c2) row[c2] -= l * d * line(c2)[c];
        }
      }
    }
    g.sync();
    for (int c = j; c < end; ++c) {  // every thread reads the same pivots: a uniform verdict
      const T d = scratch[c];
      const bool sign_ok = c < expected_positive ? d > T(0) : d < T(0);
      if (!sign_ok || !is_finite(d)) return false;
    }
    if (end - j < 4) break;  // the last, narrow panel: nothing below it
    const T d0 = scratch[j], d1 = scratch[j + 1], d2 = scratch[j + 2], d3 = scratch[j + 3];
    T* u0 = line(j);  // rows j … j+3 right of the block: L's panel columns, mirrored
    T* u1 = line(j + 1);
    T* u2 = line(j + 2);
    T* u3 = line(j + 3);
    const T l10 = u0[j + 1], l20 = u0[j + 2], l30 = u0[j + 3], l21 = u1[j + 2], l31 = u1[j + 3], l32 = u2[j + 3];
    for (int k = end + g.rank(); k < N; k += g.size()) {
      T* row = line(k);
      const T t0 = row[j];
      const T t1 = row[j + 1] - t0 * l10;
      const T t2 = row[j + 2] - t0 * l20 - t1 * l21;
      const T t3 = row[j + 3] - t0 * l30 - t1 * l31 - t2 * l32;  // t_r = L_k,j+r d_j+r
      row[j] = u0[k] = t0 / d0;
      row[j + 1] = u1[k] = t1 / d1;
      row[j + 2] = u2[k] = t2 / d2;
      row[j + 3] = u3[k] = t3 / d3;
    }
    g.sync();
    for (int i = end + g.rank(); i < N; i += g.size()) {
      T* row = line(i);
      const T a0 = row[j] * d0, a1 = row[j + 1] * d1, a2 = row[j + 2] * d2, a3 = row[j + 3] * d3;
      // structurally sparse data (e.g. Maros–Mészáros) skips most updates
      if (a0 == T(0) && a1 == T(0) && a2 == T(0) && a3 == T(0)) continue;
      for (int k = end; k <= i; ++k) row[k] -= a0 * u0[k] + a1 * u1[k] + a2 * u2[k] + a3 * u3[k];
    }
    g.sync();
  }
  return true;
}

// Solves L D Lᵀ x = b in place (x holds b on entry). The forward sweep reads
// L's columns (the upper triangle's rows), the backward one L's rows (Lᵀ's
// columns): each step is an axpy on contiguous rows. Both take four columns of
// L per pass over x — the 4×4 triangle inside the block resolved first, by one
// thread — so x is loaded and stored a quarter as often (the store bandwidth, not
// the multiply-adds, bounds a CPU here) and a GPU group syncs a quarter as often.
template <class Group, class T>
BPQP_HD void ldlt_solve(const Group& g, const T* LD, int N, int ld, T* x) {
  auto line = [&](int r) { return LD + static_cast<std::ptrdiff_t>(r) * ld; };
  int i = 0;
  for (; i + 4 <= N; i += 4) {  // forward: L x = b
    const T *c0 = line(i), *c1 = line(i + 1), *c2 = line(i + 2), *c3 = line(i + 3);  // cr[k] = L_k,i+r
    if (g.rank() == 0) {
      x[i + 1] -= c0[i + 1] * x[i];
      x[i + 2] -= c0[i + 2] * x[i] + c1[i + 2] * x[i + 1];
      x[i + 3] -= c0[i + 3] * x[i] + c1[i + 3] * x[i + 1] + c2[i + 3] * x[i + 2];
    }
    g.sync();
    const T x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    for (int k = i + 4 + g.rank(); k < N; k += g.size()) x[k] -= c0[k] * x0 + c1[k] * x1 + c2[k] * x2 + c3[k] * x3;
    g.sync();
  }
  for (; i + 1 < N; ++i) {
    const T* c = line(i);
    const T xi = x[i];
    for (int k = i + 1 + g.rank(); k < N; k += g.size()) x[k] -= c[k] * xi;
    g.sync();
  }
  for (int k = g.rank(); k < N; k += g.size()) x[k] /= LD[static_cast<std::ptrdiff_t>(k) * ld + k];
  g.sync();
  i = N - 1;
  for (; i - 3 > 0; i -= 4) {  // backward: Lᵀ x = y, rows i, i−1, i−2, i−3 of L at once
    const T *r0 = line(i), *r1 = line(i - 1), *r2 = line(i - 2), *r3 = line(i - 3);  // rr[k] = L_i−r,k
    if (g.rank() == 0) {
      x[i - 1] -= r0[i - 1] * x[i];
      x[i - 2] -= r0[i - 2] * x[i] + r1[i - 2] * x[i - 1];
      x[i - 3] -= r0[i - 3] * x[i] + r1[i - 3] * x[i - 1] + r2[i - 3] * x[i - 2];
    }
    g.sync();
    const T x0 = x[i], x1 = x[i - 1], x2 = x[i - 2], x3 = x[i - 3];
    for (int k = g.rank(); k < i - 3; k += g.size()) x[k] -= r0[k] * x0 + r1[k] * x1 + r2[k] * x2 + r3[k] * x3;
    g.sync();
  }
  for (; i > 0; --i) {
    const T* row = line(i);
    const T xi = x[i];
    for (int k = g.rank(); k < i; k += g.size()) x[k] -= row[k] * xi;
    g.sync();
  }
}

}  // namespace bpqp::kernels
