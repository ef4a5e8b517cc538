// Polishing's reduced KKT when the batch shares P and A: [H, Ā_𝒜ᵀ; Ā_𝒜, −δI] with
// H = P̄ + δI the same for every problem, solved through its Schur complement. The batch
// forms H⁻¹ (n×n), W = Ā H⁻¹ (m×n) and G = Ā H⁻¹ Āᵀ (m×m) once; a problem's active set 𝒜
// then needs only the Schur complement S = G_𝒜𝒜 + δI, |𝒜|³/6 multiply-adds where the whole
// matrix takes (n + |𝒜|)³/6 (100×20 with ten active rows: 170 against 220 000), and a
// solve costs n² + 2n|𝒜| + |𝒜|², what the whole matrix's LDLᵀ solve costs. With H kept
// as its LDLᵀ a solve took two sweeps with H (2n²) instead of one product with H⁻¹, and
// the sweeps' dependent steps vectorize worse than the product's independent rows: on a
// 100×20 shared batch they were the largest single cost of finishing a problem. On a GPU
// the same holds more so — a sweep is n steps with a barrier each, the product one
// parallel pass. The inverse is as accurate as the sweeps for the refinement that
// follows (kernels/reduced_kkt.hpp): both err by about cond(H)·ε, which each refinement
// step divides out. The backend forms the three once per batch (the CPU with Eigen, in
// double whatever T is: src/cpu/batch_phase_forward.cpp).
//
// Block elimination of [H, Bᵀ; B, −δI][x; y] = [r₁; r₂] (B = Ā_𝒜, B H⁻¹ = W_𝒜):
//   t = H⁻¹r₁,   (B H⁻¹ Bᵀ + δI) y = B t − r₂,   x = t − W_𝒜ᵀ y.
#pragma once

#include "kernels/dense_ldlt.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

// The batch's shared factors, row-major: H⁻¹ (n×n, symmetric), W = Ā H⁻¹ (m×n: row i is
// (H⁻¹āᵢ)ᵀ) and G = Ā H⁻¹ Āᵀ (m×m). Null H_inv: the batch has none (H did not factor, or
// the backend forms none).
template <class T>
struct SharedKkt {
  const T* H_inv = nullptr;
  const T* W = nullptr;
  const T* G = nullptr;

  BPQP_HD BPQP_INLINE bool available() const { return H_inv != nullptr; }
};

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
// t is scratch of n entries.
template <class Group, class T>
BPQP_HD void solve_shared_kkt(const Group& g, const SharedKkt<T>& f, int n, int k, const int* rows, const T* A,
                              const T* S, T* v, T* t) {
  T* y = v + n;
  gemv(g, f.H_inv, n, n, v, t);  // t = H⁻¹ r₁
  for (int a = g.rank(); a < k; a += g.size())
    y[a] = strided_dot(A + static_cast<std::ptrdiff_t>(rows[a]) * n, t, 0, n, 1) - y[a];  // B t − r₂
  g.sync();
  ldlt_solve(g, S, k, k, y);
  // x = t − W_𝒜ᵀ y, W's rows in turn (each thread its own j).
  for (int j = g.rank(); j < n; j += g.size()) v[j] = t[j];
  for (int a = 0; a < k; ++a) {
    const T* row = f.W + static_cast<std::ptrdiff_t>(rows[a]) * n;
    const T ya = y[a];
    for (int j = g.rank(); j < n; j += g.size()) v[j] -= row[j] * ya;
  }
  g.sync();
}

}  // namespace bpqp::kernels
