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

#include <cstddef>

#include "kernels/scalar_math.hpp"

namespace bpqp::kernels {

namespace ldlt_detail {

// Columns per panel of the blocked factorization: a multiple of four (the panel is factored
// four columns at a time). Wider panels pass over the trailing matrix less often but factor
// more of it in the narrow rank-four form (64 measured no faster than 32).
constexpr int kPanel = 32;

// Below this order one panel spans the matrix (the rank-four form throughout): the trailing
// update's setup per row block did not pay for itself at N ≈ 100–130 (12.5 against 14
// GFLOP/s at N = 131 on an AVX2 core), and it did from N ≈ 200 (1.2× at 300, 1.7× at 500).
constexpr int kBlockedFrom = 192;

// The columns of a row chunk the trailing update keeps in registers, per row of its block
// of four rows. On a CPU 16 columns, whatever the type and instruction set: g++ keeps that
// form's accumulators in registers and streams the panel rows through them, and wider or
// narrower chunks it compiles into far slower code (the update alone, N = 510, one AVX-512
// core: double 37 GFLOP/s at 16 columns against 12 at 32 and 13 at 8; float 53 at 16
// against 12 at 32 and 13 at 8; AVX2: double 26.5 at 16, 8.3 at 8; float 54 at 16, 9.8 at
// 32). The chunk was 256 bytes under AVX-512 and 128 elsewhere (AVX-512: 32 doubles or 64
// floats; AVX2: 16 doubles, 32 floats): the whole factorization, N = 510, one AVX-512 core,
// went 11.2 → 28.8 GFLOP/s in double (N = 1000: 11.5 → 34.3), bit for bit the same result
// (a chunk only groups columns; every entry sums the same terms in the same order).
// On a GPU each thread of the group runs its own row blocks, and 64 accumulators would
// spill its registers: 32 bytes there.
template <class T>
BPQP_HD BPQP_INLINE constexpr int chunk_width() {
#if defined(__CUDA_ARCH__)
  return 32 / static_cast<int>(sizeof(T));
#else
  return 16;
#endif
}

// Columns k0 … k0+Width−1 of four rows of the trailing matrix take the panel's update,
// K_ik −= Σ_r b_i,r U_r,k, with U_r the panel's rows of the Lᵀ mirror (U_r,k = L_k,r),
// b_i,r = L_i,r d_r, and r over `used` (the panel rows where some b is nonzero: structurally
// sparse data, e.g. Maros–Mészáros, skips most of them). Every column of the chunk is
// written, also those right of a row's diagonal: that part of a row not yet factored is
// never read, and its factorization overwrites it with the mirror (so the stores need no
// mask, which kept g++ from holding the accumulators in registers). The accumulators are one
// named array per row, as in kernels/column_products.hpp.
template <int Width, class T>
BPQP_HD BPQP_INLINE void update_chunk(int k0, int count, const int* used, const T* U, int ld, const T (*b)[kPanel],
                                      T* const row[4]) {
  T a0[Width] = {}, a1[Width] = {}, a2[Width] = {}, a3[Width] = {};
  for (int t = 0; t < count; ++t) {
    const int r = used[t];
    const T b0 = b[0][r], b1 = b[1][r], b2 = b[2][r], b3 = b[3][r];
    const T* u = U + static_cast<std::ptrdiff_t>(r) * ld + k0;
    for (int w = 0; w < Width; ++w) {
      a0[w] += u[w] * b0;
      a1[w] += u[w] * b1;
      a2[w] += u[w] * b2;
      a3[w] += u[w] * b3;
    }
  }
  for (int w = 0; w < Width; ++w) row[0][k0 + w] -= a0[w];
  for (int w = 0; w < Width; ++w) row[1][k0 + w] -= a1[w];
  for (int w = 0; w < Width; ++w) row[2][k0 + w] -= a2[w];
  for (int w = 0; w < Width; ++w) row[3][k0 + w] -= a3[w];
}

// Columns k0 … k_end−1 of the row block: full chunks of Width, then at most one chunk of
// each smaller power of two (which never reads past column k_end − 1, the block's last row).
template <int Width, class T>
BPQP_HD BPQP_INLINE void update_row_block(int k0, int k_end, int count, const int* used, const T* U, int ld,
                                          const T (*b)[kPanel], T* const row[4]) {
  for (; k0 + Width <= k_end; k0 += Width) update_chunk<Width>(k0, count, used, U, ld, b, row);
  if constexpr (Width > 1) update_row_block<Width / 2>(k0, k_end, count, used, U, ld, b, row);
}

}  // namespace ldlt_detail

// Factors in place. `expected_positive` pivots (the leading block) must be
// > 0 and the rest < 0; returns false at the first pivot with the wrong sign
// or a non-finite value. scratch (N entries) receives the pivots. The result is
// uniform across the group (every thread reads the same pivot after a sync).
//
// Blocked, right-looking, in panels of kPanel columns. Inside a panel, four columns
// at a time: the 4×4 diagonal block is factored by one thread; every row below it
// then gets its four entries of L by a forward substitution with that block (rows
// independent: parallel), and the rest of the panel's columns take the four columns'
// rank-four update. Then the trailing matrix right of the panel takes the whole
// panel's update in one pass, blocks of four rows by a register-held chunk of columns,
// K_ik −= Σ_r L_i,r d_r L_k,r over the panel's r: one load and store of the trailing
// matrix per panel instead of one per four columns (those passes, not the
// multiply-adds, bounded the rank-four form: about 13 GFLOP/s at N = 500–600 on an AVX2
// core, 19 blocked, best of five runs; Eigen's blocked Cholesky, 29, packs its panels
// into buffers this in-place form does not have).
template <class Group, class T>
BPQP_HD bool ldlt_factor(const Group& g, T* K, int N, int ld, int expected_positive, T* scratch) {
  using ldlt_detail::kPanel;
  auto line = [&](int r) { return K + static_cast<std::ptrdiff_t>(r) * ld; };
  const int panel_width = N >= ldlt_detail::kBlockedFrom ? kPanel : N;
  for (int p = 0; p < N; p += panel_width) {
    const int p_end = p + panel_width < N ? p + panel_width : N;
    for (int j = p; j < p_end; j += 4) {
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
      if (end - j < 4) return true;  // the last, narrow block: nothing below it
      const T d0 = scratch[j], d1 = scratch[j + 1], d2 = scratch[j + 2], d3 = scratch[j + 3];
      T* u0 = line(j);  // rows j … j+3 right of the block: L's columns, mirrored
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
      // The rank-four update of the panel's remaining columns (all rows below the block).
      for (int i = end + g.rank(); i < N; i += g.size()) {
        T* row = line(i);
        const T a0 = row[j] * d0, a1 = row[j + 1] * d1, a2 = row[j + 2] * d2, a3 = row[j + 3] * d3;
        if (a0 == T(0) && a1 == T(0) && a2 == T(0) && a3 == T(0)) continue;  // structurally sparse data
        const int k_last = i < p_end - 1 ? i : p_end - 1;
        for (int k = end; k <= k_last; ++k) row[k] -= a0 * u0[k] + a1 * u1[k] + a2 * u2[k] + a3 * u3[k];
      }
      g.sync();
    }
    if (p_end >= N) break;
    // The trailing matrix takes the whole panel's update, a block of four rows per thread.
    // Rows outer: a block's b and its list of nonzero panel rows are formed once (per
    // column block, that setup cost sparse Maros–Mészáros problems 8%), and the panel's
    // mirror rows stream from L2.
    const int panel = p_end - p;
    constexpr int width = ldlt_detail::chunk_width<T>();
    for (int i0 = p_end + 4 * g.rank(); i0 < N; i0 += 4 * g.size()) {
      const int rows = N - i0 < 4 ? N - i0 : 4;
      T* row[4];
      for (int c = 0; c < 4; ++c) row[c] = line(c < rows ? i0 + c : i0);  // a missing row: b = 0, writes row i0 − 0
      T b[4][kPanel];
      int used[kPanel], count = 0;
      for (int r = 0; r < panel; ++r) {
        const T d = scratch[p + r];
        bool nonzero = false;
        for (int c = 0; c < 4; ++c) {
          b[c][r] = c < rows ? row[c][p + r] * d : T(0);
          nonzero = nonzero || b[c][r] != T(0);
        }
        if (nonzero) used[count++] = r;
      }
      if (count > 0) ldlt_detail::update_row_block<width>(p_end, i0 + rows, count, used, line(p), ld, b, row);
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
