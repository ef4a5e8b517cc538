// Polishing's reduced KKT when the batch shares P and A: [H, Ā_𝒜ᵀ; Ā_𝒜, −δI] with
// H = P̄ + δI the same for every problem, solved through its Schur complement. The batch
// factors H once and forms G = Ā H⁻¹ Āᵀ (m×m) once; a problem's active set 𝒜 then needs
// only the Schur complement S = G_𝒜𝒜 + δI, |𝒜|³/6 multiply-adds where the whole matrix
// takes (n + |𝒜|)³/6 (100×20 with ten active rows: 170 against 220 000). It is the same
// regularized matrix and the same elimination order as the dense LDLᵀ (which eliminates
// the H block first, without pivoting), so refinement against the exact KKT sees the same
// system; a solve costs two solves with H, 2n² + 2n|𝒜| + |𝒜|² against (n + |𝒜|)².
// On a GPU the per-problem factorization shrinks the same way and H's solves are the
// batch's shared triangular sweeps.
//
// Block elimination of [H, Bᵀ; B, −δI][x; y] = [r₁; r₂] (B = Ā_𝒜):
//   x = H⁻¹(r₁ − Bᵀy),   (B H⁻¹ Bᵀ + δI) y = B H⁻¹ r₁ − r₂.
#pragma once

#include "kernels/dense_ldlt.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

// The batch's shared factors: H's LDLᵀ (n×n, dense_ldlt.hpp's layout) and G (m×m, row-major).
template <class T>
struct SharedKkt {
  const T* H = nullptr;
  const T* G = nullptr;
};

// Forms H = P̄ + δI's LDLᵀ into H (n×n) and G = Ā H⁻¹ Āᵀ into G (m×m), with scratch of
// n + n entries. False (uniform) when H does not factor: polishing then factors each
// problem's whole matrix, as without a shared P.
template <class Group, class T>
BPQP_HD bool prepare_shared_kkt(const Group& g, int n, int m, const T* P, const T* A, T delta, T* H, T* G,
                                T* scratch) {
  for (int i = g.rank(); i < n; i += g.size())
    for (int j = 0; j <= i; ++j) H[i * n + j] = P[i * n + j] + (i == j ? delta : T(0));
  g.sync();
  if (!ldlt_factor(g, H, n, n, n, scratch)) return false;
  T* column = scratch + n;  // H⁻¹ āᵢ, one row of Ā at a time
  for (int i = 0; i < m; ++i) {
    copy(g, column, A + static_cast<std::ptrdiff_t>(i) * n, n);
    ldlt_solve(g, H, n, n, column);
    for (int j = g.rank(); j < m; j += g.size())
      G[static_cast<std::ptrdiff_t>(i) * m + j] = strided_dot(A + static_cast<std::ptrdiff_t>(j) * n, column, 0, n, 1);
    g.sync();
  }
  return true;
}

// Whether the Schur form pays for a problem with k active rows: it saves (n + k)³/6 − k³/6
// multiply-adds of factorization and costs about n² more per solve, of which a polish with
// its refinement takes up to six. Below that (random QPs 10×5, by this count: 366 saved, about 600
// more in solves) the whole matrix is factored as without a shared P.
BPQP_HD BPQP_INLINE bool shared_kkt_pays(int n, int k) {
  const double N = static_cast<double>(n) + k, K = k;
  return (N * N * N - K * K * K) / 6.0 > 6.0 * static_cast<double>(n) * n;
}

// Factors the Schur complement S = G_𝒜𝒜 + δI of the rows in rows[0:k] into S (k×k).
// False when rounding broke its positive definiteness.
template <class Group, class T>
BPQP_HD bool factor_shared_kkt(const Group& g, const SharedKkt<T>& f, int m, int k, const int* rows, T delta, T* S,
                               T* pivots) {
  for (int a = g.rank(); a < k; a += g.size()) {
    const T* g_row = f.G + static_cast<std::ptrdiff_t>(rows[a]) * m;
    for (int b = 0; b <= a; ++b) S[a * k + b] = g_row[rows[b]] + (a == b ? delta : T(0));
  }
  g.sync();
  return ldlt_factor(g, S, k, k, k, pivots);
}

// v = [H, Bᵀ; B, −δI]⁻¹ v in place (v: n + k entries), by the block elimination above.
// t and s are scratch of n entries each.
template <class Group, class T>
BPQP_HD void solve_shared_kkt(const Group& g, const SharedKkt<T>& f, int n, int k, const int* rows, const T* A,
                              const T* S, T* v, T* t, T* s) {
  T* y = v + n;
  copy(g, t, v, n);
  ldlt_solve(g, f.H, n, n, t);  // t = H⁻¹ r₁
  for (int a = g.rank(); a < k; a += g.size())
    y[a] = strided_dot(A + static_cast<std::ptrdiff_t>(rows[a]) * n, t, 0, n, 1) - y[a];  // B t − r₂
  g.sync();
  ldlt_solve(g, S, k, k, y);
  // s = Bᵀ y, row by row (each thread its own j), then x = t − H⁻¹ s.
  for (int j = g.rank(); j < n; j += g.size()) s[j] = T(0);
  for (int a = 0; a < k; ++a) {
    const T* row = A + static_cast<std::ptrdiff_t>(rows[a]) * n;
    const T ya = y[a];
    for (int j = g.rank(); j < n; j += g.size()) s[j] += row[j] * ya;
  }
  g.sync();
  ldlt_solve(g, f.H, n, n, s);
  for (int j = g.rank(); j < n; j += g.size()) v[j] = t[j] - s[j];
  g.sync();
}

}  // namespace bpqp::kernels
